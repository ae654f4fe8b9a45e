using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, "256 .NET workers hit the 128-inotify-instance limit": neither a SampleWorker (the host's config
/// reload watcher is off) nor the launcher holds an inotify instance (inotify(7): an anon_inode:inotify fd).
/// </summary>
[TestFixture]
public sealed class InotifyTests
{
    [Test, CancelAfter(120_000)]
    public async Task A_sample_worker_and_the_launcher_hold_no_inotify_instance(CancellationToken cancellationToken)
    {
        // Arrange, Act
        await using var sandbox = new Sandbox();
        await using var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(workers: 1), cancellationToken: cancellationToken);
        var worker = run.Workers.Single().Pid;

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(FileDescriptorTargets(worker), Is.Not.Empty, "the worker's fds can be read (a positive control)");
            Assert.That(FileDescriptorTargets(worker).Count(t => t == "anon_inode:inotify"), Is.Zero, "the worker's inotify instances");
            Assert.That(FileDescriptorTargets(run.Pid).Count(t => t == "anon_inode:inotify"), Is.Zero, "the launcher's inotify instances");
        });
    }

    private static List<string> FileDescriptorTargets(int pid)
    {
        var targets = new List<string>();
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target)
                    targets.Add(target);
            }
            catch (IOException)
            {
                // closed while we looked
            }
        }

        return targets;
    }
}
