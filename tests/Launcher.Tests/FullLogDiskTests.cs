using System.Diagnostics;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, item 8: the log directory fills up (a 64 KiB tmpfs, filled with dd) while the launcher runs; then
/// <c>launcher stop</c> still ends with exit 0, no stack trace, no status file left and no survivors.
/// </summary>
[TestFixture]
public sealed class FullLogDiskTests
{
    [Test, CancelAfter(180_000)]
    public async Task Stop_on_a_full_log_disk_exits_0_without_a_stack_trace_and_cleans_up(CancellationToken cancellationToken)
    {
        // Arrange: logs on a small filesystem of our own.
        await using var sandbox = new Sandbox();
        Directory.CreateDirectory(sandbox.LogDir);
        var mount = await RunAsync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", sandbox.LogDir]);
        if (mount.ExitCode != 0)
            Assert.Ignore($"cannot mount a tmpfs here (needs root and mount rights): {mount.Output}");
        try
        {
            await using var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(workers: 2), cancellationToken: cancellationToken);
            run.Observe();

            // Act: fill the disk, let the workers write into it for a few ticks, then stop.
            var fill = await RunAsync("dd", ["if=/dev/zero", $"of={Path.Join(sandbox.LogDir, "fill")}", "bs=4k"]);
            Assert.That(fill.Output, Does.Contain("No space left on device"), "the disk is full");
            var log = Path.Join(sandbox.LogDir, "launcher.log");
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken); // a few of the workers' 1 s ticks hit the full disk
            var stop = await LauncherCli.RunAsync(sandbox, ["stop"], TimeSpan.FromSeconds(90), cancellationToken: cancellationToken);

            // Assert
            var output = run.Output + "\n" + stop;
            Assert.Multiple(() =>
            {
                Assert.That(stop.ExitCode, Is.EqualTo(0), stop.ToString());
                Assert.That(run.Process.ExitCode, Is.EqualTo(0), run.Output);
                Assert.That(output, Does.Not.Match(@"(?m)^\s+at \S+\("), "no stack trace");
                Assert.That(output, Does.Not.Contain("Unhandled exception"));
                Assert.That(File.Exists(sandbox.Paths.StatusFile), Is.False, "no status file left behind");
                Assert.That(run.Survivors(), Is.Empty);
                Assert.That(File.Exists(log), Is.True, "the launcher's log was on the full disk");
            });
        }
        finally
        {
            await RunAsync("umount", ["-l", sandbox.LogDir]);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
