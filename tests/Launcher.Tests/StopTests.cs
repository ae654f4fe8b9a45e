using System.Diagnostics;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 2, stop: SIGTERM (or `launcher stop` from another terminal) stops every worker, gracefully or after
/// the grace period by SIGKILL, removes their registrations, and the launcher exits 0. Each test runs in its own
/// pid namespace: a stop that kills the wrong process can only hit the test's own.
/// </summary>
[TestFixture]
public sealed class StopTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(60_000)]
    public async Task SIGTERM_to_the_launcher_stops_every_worker_removes_their_registrations_and_exits_0(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        await using var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(2) with { StopGraceSeconds = 5 }, cancellationToken: cancellationToken);
        // A worker answers on its socket a moment before its registration file lands.
        var registry = run.Workers.SelectMany(w => new[] { $"{w.PidInside}.json", $"{w.PidInside}.sock" }).ToList();
        await Eventually.TrueAsync(
            () => registry.All(SpineFacts.RegistryEntries(sandbox).Contains), Deadline, "both workers registered with their sockets", cancellationToken);

        // Act
        var exitCode = await run.StopAsync(cancellationToken);

        // Assert: each worker ended by the SIGTERM (SampleWorker exits 0 after a graceful stop; SIGKILL would be 137).
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), run.Output);
            Assert.That(run.Workers.Where(w => w.Identity.IsAlive), Is.Empty, "no worker left");
            Assert.That(SpineFacts.RegistryEntries(sandbox), Is.Empty, "registrations and sockets removed");
            Assert.That(run.Output, Does.Contain("ended by SIGTERM"), "stopped gracefully");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_worker_that_ignores_SIGTERM_is_killed_with_SIGKILL_after_the_grace_period_and_the_launcher_exits_0(CancellationToken cancellationToken)
    {
        // Arrange: SIGTERM is ignored from before the worker registers; grace 1 s.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        await using var run = await LauncherRun.StartAsync(sandbox,
            LauncherConfig.SampleWorkers(1, "--ignore-sigterm") with { StopGraceSeconds = 1 }, cancellationToken: cancellationToken);
        var worker = run.Workers.Single();

        // Act
        var clock = Stopwatch.StartNew();
        var exitCode = await run.StopAsync(cancellationToken);
        TestContext.Out.WriteLine($"launcher exited {clock.Elapsed.TotalMilliseconds:F0} ms after SIGTERM (grace 1 s)");

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), run.Output);
            Assert.That(run.Output, Does.Contain($"#{worker.PidInside}: 1 process(es) ended by SIGKILL"), "killed only after SIGTERM was ignored");
            Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)), "the grace period was given");
            Assert.That(worker.Identity.IsAlive, Is.False);
            Assert.That(SpineFacts.RegistryEntries(sandbox), Is.Empty, "registration removed although the worker never cleaned up");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task Launcher_stop_from_another_terminal_stops_the_launcher_and_its_workers(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        await using var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(2) with { StopGraceSeconds = 5 }, cancellationToken: cancellationToken);
        run.Observe();

        // Act
        var stop = await LauncherCli.RunAsync(sandbox, ["stop"], Deadline, cancellationToken: cancellationToken);

        // Assert: `stop` returns once the launcher is gone, which exited 0 with nothing left behind.
        Assert.Multiple(() =>
        {
            Assert.That(stop.ExitCode, Is.EqualTo(0), stop.ToString());
            Assert.That(stop.Stdout, Does.Contain($"pid {run.Process.PidInside}"));
            Assert.That(ProcessProbe.IsAlive(run.Pid), Is.False, "stop waits for the launcher to exit");
        });
        var exitCode = await run.WaitForExitAsync(cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), run.Output);
            Assert.That(run.Survivors(), Is.Empty, "no worker, child or watchdog left");
            Assert.That(SpineFacts.RegistryEntries(sandbox), Is.Empty, "registrations removed");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });

        // And a second stop finds nothing to stop.
        var again = await LauncherCli.RunAsync(sandbox, ["stop"], Deadline, cancellationToken: cancellationToken);
        Assert.That(again.ExitCode, Is.EqualTo(0), again.ToString());
        Assert.That(again.Stdout, Does.Contain("no launcher is running"));
    }
}
