using System.Runtime.Versioning;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 12, part 4: with <c>restart.initialDelaySeconds: 0</c> a worker that dies is replaced at once, after the
/// leftover check (now asked of the launcher's adopted children only) found and stopped what it left behind, and the
/// launcher logs where the restart's time went (Debug event 1100). In a pid namespace: leftovers are killed.
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
public sealed class RestartFastPathTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(150_000)]
    public async Task A_SIGKILLed_worker_is_replaced_at_once_after_its_leftovers_are_stopped_and_the_steps_are_logged(CancellationToken cancellationToken)
    {
        // Arrange: a worker with a child and a setsid grandchild, which outlive it and come back to the launcher.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        var config = new LauncherConfig
        {
            Command = ["/bin/sh", "-c", "sleep 100001 & setsid sleep 100002 & exec sleep 100000"],
            StopGraceSeconds = 2,
            Ping = new { command = new[] { "/bin/echo", "{node}" }, intervalSeconds = 3600, timeoutSeconds = 30 },
            Restart = new { initialDelaySeconds = 0 },
        };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var old = run.Workers.Single();
        IReadOnlyList<int> tree = [];
        await Eventually.TrueAsync(() => (tree = ProcessProbe.PidsWithMarker(sandbox.Instance)).Count == 3, Deadline,
            "the worker, its child and its setsid grandchild run", cancellationToken);
        var leftovers = tree.Where(pid => pid != old.Pid).Select(Identity.Of).ToList();
        var launcherLog = Path.Combine(sandbox.LogDir, "launcher.log");

        // Act
        Assert.That(ProcessProbe.Signal(old.Pid, Signals.SIGKILL), Is.True);

        // Assert
        string timed = "";
        await Eventually.TrueAsync(
            () => (timed = Lines(launcherLog).FirstOrDefault(l => l.Contains($"Restart of slot #0: {old.Node}#{old.PidInside} exit event", StringComparison.Ordinal)) ?? "") != "",
            Deadline, "the launcher logged the restart's steps (event 1100)", cancellationToken);
        await Eventually.TrueAsync(() => !leftovers.Any(p => p.IsAlive), Deadline, "what the dead worker left is gone", cancellationToken);
        var lines = Lines(launcherLog);
        var stopped = lines.FindIndex(l => l.Contains("Stopped ", StringComparison.Ordinal) && l.Contains(old.Node, StringComparison.Ordinal));
        var started = lines.FindIndex(l => l.Contains("Started worker ", StringComparison.Ordinal) && !l.Contains(old.Node, StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(timed, Does.Match(@"leftover check [\d.]+ ms, end reported [\d.]+ ms, backoff over [\d.]+ ms, replacement forked \(pid \d+\) [\d.]+ ms"));
            Assert.That(stopped, Is.GreaterThanOrEqualTo(0), "the leftover check found the dead worker's children and stopped them");
            Assert.That(started, Is.GreaterThan(stopped), "the replacement started after its predecessor's leftovers were stopped");
        });
    }

    private static List<string> Lines(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return [.. reader.ReadToEnd().Split('\n')];
        }
        catch (IOException)
        {
            return [];
        }
    }
}
