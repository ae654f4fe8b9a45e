using System.Diagnostics;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 2, stop: SIGTERM (or `launcher stop` from another terminal) stops every worker, gracefully or after
/// the grace period by SIGKILL, removes their registrations, and the launcher exits 0.
/// </summary>
[TestFixture]
public sealed class StopTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(60_000)]
    public async Task SIGTERM_to_the_launcher_stops_every_worker_removes_their_registrations_and_exits_0(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        SpineFacts.WriteSampleConfig(sandbox, workers: 2, ["--tick-seconds", "1"]);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var pids = await ReadyPidsAsync(sandbox, launcher, cancellationToken);
        // A worker answers on its socket a moment before its registration file lands.
        var registry = pids.SelectMany(pid => new[] { $"{pid}.json", $"{pid}.sock" }).ToList();
        await Eventually.TrueAsync(
            () => registry.All(SpineFacts.RegistryEntries(sandbox).Contains), Deadline, "both workers registered with their sockets", cancellationToken);

        // Act
        launcher.Signal(Signals.SIGTERM);
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), launcher.Output);
            Assert.That(pids.Where(ProcessProbe.IsAlive), Is.Empty, "no worker left");
            Assert.That(SpineFacts.RegistryEntries(sandbox), Is.Empty, "registrations and sockets removed");
            Assert.That(launcher.Output, Does.Contain("ended by SIGTERM"), "stopped gracefully");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_worker_that_ignores_SIGTERM_is_killed_with_SIGKILL_after_the_grace_period_and_the_launcher_exits_0(CancellationToken cancellationToken)
    {
        // Arrange: SIGTERM is ignored from before the worker registers; grace 1 s.
        await using var sandbox = new Sandbox();
        SpineFacts.WriteSampleConfig(sandbox, workers: 1, ["--tick-seconds", "1", "--ignore-sigterm"], stopGraceSeconds: 1);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var pid = (await ReadyPidsAsync(sandbox, launcher, cancellationToken)).Single();

        // Act
        var clock = Stopwatch.StartNew();
        launcher.Signal(Signals.SIGTERM);
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);
        TestContext.Out.WriteLine($"launcher exited {clock.Elapsed.TotalMilliseconds:F0} ms after SIGTERM (grace 1 s)");

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), launcher.Output);
            Assert.That(launcher.Output, Does.Contain($"#{pid}: 1 process(es) ended by SIGKILL"), "killed only after SIGTERM was ignored");
            Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)), "the grace period was given");
            Assert.That(ProcessProbe.IsAlive(pid), Is.False);
            Assert.That(SpineFacts.RegistryEntries(sandbox), Is.Empty, "registration removed although the worker never cleaned up");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task Launcher_stop_from_another_terminal_stops_the_launcher_and_its_workers(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        SpineFacts.WriteSampleConfig(sandbox, workers: 2, ["--tick-seconds", "1"]);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var pids = await ReadyPidsAsync(sandbox, launcher, cancellationToken);

        // Act
        var stop = await LauncherCli.RunAsync(sandbox, ["stop"], Deadline, cancellationToken: cancellationToken);

        // Assert: `stop` returns once the launcher is gone, which exited 0 with nothing left behind.
        Assert.Multiple(() =>
        {
            Assert.That(stop.ExitCode, Is.EqualTo(0), stop.ToString());
            Assert.That(stop.Stdout, Does.Contain($"pid {launcher.Pid}"));
            Assert.That(ProcessProbe.IsAlive(launcher.Pid), Is.False, "stop waits for the launcher to exit");
        });
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), launcher.Output);
            Assert.That(pids.Where(ProcessProbe.IsAlive), Is.Empty, "no worker left");
            Assert.That(SpineFacts.RegistryEntries(sandbox), Is.Empty, "registrations removed");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });

        // And a second stop finds nothing to stop.
        var again = await LauncherCli.RunAsync(sandbox, ["stop"], Deadline, cancellationToken: cancellationToken);
        Assert.That(again.ExitCode, Is.EqualTo(0), again.ToString());
        Assert.That(again.Stdout, Does.Contain("no launcher is running"));
    }

    private static async Task<IReadOnlyList<int>> ReadyPidsAsync(Sandbox sandbox, LauncherProcess launcher, CancellationToken cancellationToken)
    {
        var ready = await launcher.WaitForLineAsync("ready:", Deadline, cancellationToken);
        var pids = SpineFacts.NodesInReadyLine(ready).Select(SpineFacts.PidOfNode).ToList();
        foreach (var pid in pids)
            sandbox.Processes.Track(pid);
        return pids;
    }
}
