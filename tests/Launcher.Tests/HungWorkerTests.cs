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
        // Arrange: the first worker freezes 1 s after start; its replacement behaves.
        await using var sandbox = new Sandbox();
        Supervision.WriteConfig(sandbox, workers: 1,
            Supervision.OnceCommand(sandbox.Dir, ("hang-once", ["--hang-after", "1"])),
            ping: new { intervalSeconds = 0.5, timeoutSeconds = 0.5, missedLimit = 2 },
            restart: new { initialDelaySeconds = 0.1 },
            stopGraceSeconds: 1);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var ready = await launcher.WaitForLineAsync("ready:", StartDeadline, cancellationToken);
        var first = Supervision.PidsInReadyLine(ready).Single();
        sandbox.Processes.Track(first);

        // Act: nothing; it hangs by itself.
        var hung = await launcher.WaitForLineAsync($"#{first} missed 2 pings in a row: hung", Deadline, cancellationToken);

        // Assert
        var ended = await launcher.WaitForLineAsync($"#{first} ended:", Deadline, cancellationToken);
        await launcher.WaitForLineAsync(
            line => line.Contains("Started worker", StringComparison.Ordinal) && !line.Contains($"(pid {first})", StringComparison.Ordinal),
            Deadline, cancellationToken);
        var second = Supervision.StartedPids(launcher)[^1];
        sandbox.Processes.Track(second);
        PingSnapshot ping = null!;
        await Supervision.EventuallyAsync(launcher, async () => (ping = await Supervision.PingAsync(sandbox, cancellationToken)).IsExactlyOne(second),
            Deadline, "launcher ping --json finds the replacement alone, answering", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(hung, Does.Contain($"api{first}@"));
            Assert.That(ended, Does.Contain("(hung)"));
            Assert.That(second, Is.Not.EqualTo(first));
            Assert.That(ProcessProbe.IsAlive(first), Is.False, "the hung worker was killed");
            Assert.That(ping.Answering.Single().Pid, Is.EqualTo(second));
        });

        launcher.Signal(Signals.SIGTERM);
        Assert.That(await launcher.WaitForExitAsync(StartDeadline, cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }
}
