using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, item 1: a pattern match alone never kills. `strays.match` may list candidates, but `strays --kill` and
/// the run's sweep kill a pattern-matched process only when it runs the configured program. The pattern here is
/// `.`, which matches every command line (the `pkill -f` of the issue); the tests run in a private pid namespace.
/// </summary>
[TestFixture]
public sealed class PatternCorroborationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(90_000)]
    public async Task Strays_kill_with_a_pattern_matching_everything_kills_the_hand_started_worker_and_only_lists_an_unrelated_sleep(CancellationToken cancellationToken)
    {
        // Arrange: an unrelated `sleep` and a SampleWorker started by hand without any marker: only the pattern finds either.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        (LauncherConfig.SampleWorkers(1) with { StrayPatterns = ["."] }).WriteTo(sandbox);
        await using var bystander = await StrayProcesses.StartAsync(sandbox, "sleep", ["3700"], "sleep 3700", cancellationToken: cancellationToken);
        var unrelated = Identity.Of(bystander.Pid);
        await using var worker = LauncherProcess.StartProgram(sandbox, Repo.SampleWorkerExe, ["--tick-seconds", "1"]);
        await worker.WaitForLineAsync("Ready.", StartDeadline, cancellationToken);

        // Act
        var listed = await LauncherCli.RunAsync(sandbox, ["strays"], cancellationToken: cancellationToken);
        var report = await StrayProcesses.ReportAsync(sandbox, kill: true, cancellationToken);

        // Assert
        var workerExit = await worker.WaitForExitAsync(Deadline, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(listed.ExitCode, Is.EqualTo(0), listed.ToString());
            Assert.That(listed.Stdout, Does.Contain($"stray (no node) pid {worker.PidInside}"), listed.ToString());
            Assert.That(listed.Stdout, Does.Contain($"unconfirmed pid {bystander.PidInside}: matches strays.match but runs /usr/bin/sleep"), listed.ToString());
            Assert.That(report.ExitCode, Is.EqualTo(0), report.Raw);
            Assert.That(report.Killed.Select(k => k.Pid), Is.EqualTo(new[] { worker.PidInside }), "only the worker of the configured program is killed: " + report.Raw);
            Assert.That(workerExit, Is.EqualTo(0), "it stopped on SIGTERM: " + worker.Output);
            Assert.That(unrelated.IsAlive, Is.True, "the unrelated sleep the pattern also matches survives");
        });
    }

    [Test, CancelAfter(90_000)]
    public async Task Run_with_a_pattern_matching_everything_kills_a_hand_started_worker_leaves_an_unrelated_sleep_and_gets_ready(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        (LauncherConfig.SampleWorkers(1) with { StrayPatterns = ["."] }).WriteTo(sandbox);
        await using var bystander = await StrayProcesses.StartAsync(sandbox, "sleep", ["3701"], "sleep 3701", cancellationToken: cancellationToken);
        var unrelated = Identity.Of(bystander.Pid);
        await using var worker = LauncherProcess.StartProgram(sandbox, Repo.SampleWorkerExe, ["--tick-seconds", "1"]);
        await worker.WaitForLineAsync("Ready.", StartDeadline, cancellationToken);

        // Act
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        await launcher.WaitForLineAsync("ready: 1/1", StartDeadline, cancellationToken);

        // Assert
        var workerExit = await worker.WaitForExitAsync(Deadline, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(launcher.Output, Does.Contain($"Killed stray pid {worker.PidInside}"), launcher.Output);
            Assert.That(workerExit, Is.EqualTo(0), worker.Output);
            Assert.That(launcher.Output, Does.Contain("Left alone").And.Contain($"pid {bystander.PidInside} (sleep 3701)"), launcher.Output);
            Assert.That(unrelated.IsAlive, Is.True, "the unrelated sleep survives the sweep");
        });

        launcher.Signal(Signals.SIGTERM);
        Assert.That(await launcher.WaitForExitAsync(StartDeadline, cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(unrelated.IsAlive, Is.True, "and the launcher's stop");
    }
}
