using System.Text.Json;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 6, a worker started directly (an IDE profile, no launcher): beside a running worker of the same instance
/// it refuses to start, naming that worker, or with <c>LAUNCHER_ON_DUPLICATE=replace</c> stops it (and its
/// launcher) and takes its place. Never a silent duplicate.
/// </summary>
[TestFixture]
public sealed class DuplicateWorkerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [TestCase("refuse")]
    [TestCase(null, Description = "refuse is the default")]
    [CancelAfter(60_000)]
    public async Task A_worker_started_by_hand_beside_a_running_one_refuses_naming_it(string? policy, CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        SpineFacts.WriteSampleConfig(sandbox, workers: 1, ["--tick-seconds", "1"]);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var running = SpineFacts.PidOfNode(SpineFacts.NodesInReadyLine(await launcher.WaitForLineAsync("ready:", Deadline, cancellationToken)).Single());
        sandbox.Processes.Track(running);

        // Act
        await using var byHand = StartByHand(sandbox, policy);
        var exitCode = await byHand.WaitForExitAsync(Deadline, cancellationToken);

        // Assert: exit 3, naming the running worker, which keeps running alone.
        var ping = await LauncherCli.RunAsync(sandbox, ["ping", "--expect", "1"], Deadline, cancellationToken: cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(3), byHand.Output);
            Assert.That(byHand.StderrLines, Has.Some.Contain("refusing to start").And.Contain($"api{running}@").And.Contain($"#{running}"));
            Assert.That(byHand.Output, Does.Contain($"{EnvironmentNames.OnDuplicate}=replace"), "says how to take its place instead");
            Assert.That(byHand.Output, Does.Not.Contain("Ready."), "never started working");
            Assert.That(ping.ExitCode, Is.EqualTo(0), ping.ToString());
            Assert.That(ProcessProbe.IsAlive(running), Is.True);
        });

        launcher.Signal(Signals.SIGTERM);
        Assert.That(await launcher.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_worker_started_by_hand_with_replace_stops_the_running_one_and_its_launcher_and_alone_answers(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        SpineFacts.WriteSampleConfig(sandbox, workers: 1, ["--tick-seconds", "1"]);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var old = SpineFacts.PidOfNode(SpineFacts.NodesInReadyLine(await launcher.WaitForLineAsync("ready:", Deadline, cancellationToken)).Single());
        sandbox.Processes.Track(old);

        // Act
        await using var byHand = StartByHand(sandbox, "replace");
        await byHand.WaitForLineAsync($"Registered as api{byHand.Pid}@", Deadline, cancellationToken);
        var launcherExit = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert: the launcher stopped gracefully (exit 0) with its worker; only the new worker answers.
        var ping = await LauncherCli.RunAsync(sandbox, ["ping", "--expect", "1", "--json"], Deadline, cancellationToken: cancellationToken);
        using var report = JsonDocument.Parse(ping.Stdout);
        var workers = report.RootElement.GetProperty("workers").EnumerateArray().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(launcherExit, Is.EqualTo(0), launcher.Output);
            Assert.That(ProcessProbe.IsAlive(old), Is.False, "the old worker is gone");
            Assert.That(ping.ExitCode, Is.EqualTo(0), ping.ToString());
            Assert.That(workers, Has.Count.EqualTo(1), ping.Stdout);
            Assert.That(workers[0].GetProperty("pid").GetInt32(), Is.EqualTo(byHand.Pid), "the one answering is the new one");
            Assert.That(workers[0].GetProperty("answered").GetBoolean(), Is.True);
            Assert.That(byHand.Output, Does.Contain($"Replacing running worker(s) api{old}@"));
        });

        byHand.Signal(Signals.SIGTERM);
        Assert.That(await byHand.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), byHand.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    // As an IDE profile starts it: the instance set, no launcher (so no guard variable).
    private static LauncherProcess StartByHand(Sandbox sandbox, string? policy) =>
        LauncherProcess.StartProgram(
            sandbox,
            Repo.SampleWorkerExe,
            ["--tick-seconds", "1"],
            environment: new Dictionary<string, string?>
            {
                [EnvironmentNames.Instance] = sandbox.Instance,
                [EnvironmentNames.OnDuplicate] = policy,
            });
}
