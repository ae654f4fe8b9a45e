using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 2, verify: `launcher run` succeeds only when exactly N workers of the instance answer, each with its own
/// node name; otherwise it stops what it started and exits 4 saying who answered and who did not.
/// </summary>
[TestFixture]
public sealed class VerificationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(120_000)]
    public async Task Verification_fails_with_4_when_an_extra_worker_of_the_instance_registers_and_answers(CancellationToken cancellationToken)
    {
        // Arrange: the launcher's worker is slow to start, so an extra one started by hand after the launcher's
        // stray sweep gets in first. The start timeout leaves ours time to answer on a loaded machine (10 s once
        // did not: ours was still starting when verification gave up).
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(1, "--ready-delay", "4") with { StartTimeoutSeconds = 25, StopGraceSeconds = 2 }).WriteTo(sandbox);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        await launcher.WaitForLineAsync("Started worker", Deadline, cancellationToken);
        var ours = SpineFacts.StartedPids(launcher).Single();
        sandbox.Processes.Track(ours);

        // Act
        await using var extra = LauncherProcess.StartProgram(
            sandbox, Repo.SampleWorkerExe, ["--tick-seconds", "1"], environment: new Dictionary<string, string?> { [EnvironmentNames.Instance] = sandbox.Instance });
        await extra.WaitForLineAsync("Registered as", Deadline, cancellationToken);
        var exitCode = await launcher.WaitForExitAsync(TimeSpan.FromSeconds(60), cancellationToken);

        // Assert: exit 4; the message lists ours as answering and the extra as not started by this launcher.
        var message = string.Join('\n', launcher.StderrLines);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(4), launcher.Output);
            Assert.That(message, Does.Contain($"answered: api{ours}@"), "ours answered");
            Assert.That(message, Does.Contain($"not started by this launcher: api{extra.Pid}@").And.Contain("answering"), "the extra is named");
            Assert.That(launcher.Output, Does.Not.Contain("ready:"));
            Assert.That(ProcessProbe.IsAlive(ours), Is.False, "the launcher stopped the worker it started");
            Assert.That(ProcessProbe.IsAlive(extra.Pid), Is.True, "the launcher leaves a worker it did not start to the user");
        });

        await extra.DisposeAsync();
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task Run_with_no_kill_exits_4_naming_a_stray_and_leaves_it_alone(CancellationToken cancellationToken)
    {
        // Arrange: a worker of the instance started by hand before the launcher.
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        await using var stray = LauncherProcess.StartProgram(
            sandbox, Repo.SampleWorkerExe, ["--tick-seconds", "1"], environment: new Dictionary<string, string?> { [EnvironmentNames.Instance] = sandbox.Instance });
        await stray.WaitForLineAsync("Registered as", Deadline, cancellationToken);

        // Act
        var result = await LauncherCli.RunAsync(sandbox, ["run", "--no-kill"], Deadline, cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(4), result.ToString());
            Assert.That(result.Stderr, Does.Contain("--no-kill").And.Contain($"api{stray.Pid}@"));
            Assert.That(ProcessProbe.IsAlive(stray.Pid), Is.True, "not killed");
            Assert.That(ProcessProbe.PidsWithMarker(sandbox.Instance), Is.EquivalentTo(new[] { stray.Pid }), "no worker started");
            Assert.That(Directory.Exists(sandbox.LogDir) ? Directory.GetFiles(sandbox.LogDir, "worker_*.log") : [], Is.Empty);
        });

        await stray.DisposeAsync();
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task Verification_fails_with_4_listing_workers_that_never_answer_and_leaves_nothing_running(CancellationToken cancellationToken)
    {
        // Arrange: a command that never speaks the protocol.
        await using var sandbox = new Sandbox();
        new LauncherConfig { Command = ["sleep", "3600"], Workers = 2, StartTimeoutSeconds = 2, StopGraceSeconds = 2 }.WriteTo(sandbox);

        // Act
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);
        var started = SpineFacts.StartedPids(launcher);
        foreach (var pid in started)
            sandbox.Processes.Track(pid);

        // Assert
        var message = string.Join('\n', launcher.StderrLines);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(4), launcher.Output);
            Assert.That(started, Has.Count.EqualTo(2), launcher.Output);
            Assert.That(message, Does.Contain("expected 2 worker(s), 0 answered"));
            Assert.That(message, Does.Contain("startTimeoutSeconds"), "says which setting ran out");
            foreach (var pid in started)
                Assert.That(message, Does.Contain($"api{pid}@").And.Contain("not answering"), $"names worker {pid}");
            Assert.That(started.Where(ProcessProbe.IsAlive), Is.Empty, "the workers were stopped");
            Assert.That(sandbox.Survivors(), Is.Empty, "nothing left running");
        });
    }
}
