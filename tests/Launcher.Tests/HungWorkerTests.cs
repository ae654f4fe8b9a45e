using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 4, hung workers: a worker that is alive but stops answering liveness pings (SampleWorker --hang-after
/// SIGSTOPs itself) is declared hung after missedLimit misses, its tree is killed, and a replacement answers.
/// </summary>
[TestFixture]
public sealed class HungWorkerTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Test, CancelAfter(90_000)]
    public async Task A_worker_that_stops_answering_pings_is_killed_and_replaced(CancellationToken cancellationToken)
    {
        // Arrange: one worker; once it is verified, the test freezes it (SIGSTOP: alive, but never answering), which
        // on a loaded machine is the only way to be sure the hang comes after verification, not before.
        await using var sandbox = new Sandbox();
        var config = LauncherConfig.SampleWorkers(1) with
        {
            Ping = new { intervalSeconds = 0.5, timeoutSeconds = 0.5, missedLimit = 2 },
            Restart = new { initialDelaySeconds = 0.1 },
            StopGraceSeconds = 1,
        };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var launcher = run.Process;
        var firstWorker = run.Workers.Single();
        var first = firstWorker.PidInside;

        // Act
        Assert.That(ProcessProbe.Signal(firstWorker.Pid, Signals.SIGSTOP), Is.True);
        var hung = await launcher.WaitForLineAsync($"#{first} missed 2 pings in a row: hung", Deadline, cancellationToken);

        // Assert
        var ended = await launcher.WaitForLineAsync($"#{first} ended:", Deadline, cancellationToken);
        await launcher.WaitForLineAsync(
            line => line.Contains("Started worker", StringComparison.Ordinal) && !line.Contains($"(pid {first})", StringComparison.Ordinal),
            Deadline, cancellationToken);
        var second = Supervision.StartedPids(launcher)[^1];
        run.Observe();
        PingSnapshot ping = null!;
        await Supervision.EventuallyAsync(launcher, async () => (ping = await Supervision.PingAsync(sandbox, cancellationToken)).IsExactlyOne(second),
            Deadline, "launcher ping --json finds the replacement alone, answering", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(hung, Does.Contain($"api{first}@"));
            Assert.That(ended, Does.Contain("(hung)"));
            Assert.That(second, Is.Not.EqualTo(first));
            Assert.That(firstWorker.Identity.IsAlive, Is.False, "the hung worker was killed");
            Assert.That(ping.Answering.Single().Pid, Is.EqualTo(second));
        });

        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }
}
