using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 4, signals: SIGHUP replaces every worker one at a time (never fewer than N-1 nor more than N alive) and
/// the launcher keeps running; SIGTERM afterwards stops everything and exits 0.
/// </summary>
[TestFixture]
public sealed class RollingRestartTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Test, CancelAfter(150_000)]
    public async Task SIGHUP_restarts_every_worker_one_at_a_time_and_SIGTERM_then_stops_cleanly(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        await using var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(2) with { StopGraceSeconds = 5 }, cancellationToken: cancellationToken);
        var launcher = run.Process;
        var before = run.Workers.Select(w => w.Pid).ToList();

        // The process table, sampled all through the restart: how many workers are alive at each moment.
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var counts = new List<int>();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var live = Supervision.LiveWorkers(sandbox);
                lock (counts)
                    counts.Add(live.Count);
                foreach (var pid in live)
                    sandbox.Processes.Track(pid);
                await Task.Delay(10, CancellationToken.None);
            }
        }, CancellationToken.None);

        // Act
        launcher.Signal(Signals.SIGHUP);
        List<int> after = [];
        await Supervision.EventuallyAsync(launcher, async () =>
            {
                var ping = await Supervision.PingAsync(sandbox, cancellationToken);
                after = ping.Answering.Select(w => w.Pid).ToList();
                return ping.ExitCode == 0 && after.Count == 2 && !after.Intersect(before).Any();
            },
            Deadline, "two new workers answer and neither old one does", cancellationToken);
        await launcher.WaitForLineAsync(line => line.Contains("SIGHUP: rolling restart", StringComparison.Ordinal), Deadline, cancellationToken);
        await sampling.CancelAsync();
        await sampler;

        // Assert: the log tells the order; the samples tell the counts.
        var lines = launcher.StderrLines.ToList();
        int IndexOf(string text) => lines.FindIndex(line => line.Contains(text, StringComparison.Ordinal));
        var started = Supervision.StartedPids(launcher).Except(before).ToList();
        var order = new[]
        {
            IndexOf($"Stopped api{before[0]}@"), IndexOf($"Started worker api{started[0]}@"),
            IndexOf($"Stopped api{before[1]}@"), IndexOf($"Started worker api{started[1]}@"),
        };
        int[] seen;
        lock (counts)
            seen = [.. counts];
        TestContext.Out.WriteLine($"live workers sampled during the rolling restart ({seen.Length} samples): min {seen.Min()}, max {seen.Max()}");
        Assert.Multiple(() =>
        {
            Assert.That(started, Has.Count.EqualTo(2), launcher.Output);
            Assert.That(order, Is.Ordered.And.All.GreaterThanOrEqualTo(0),
                $"stop 1st, start its replacement, then stop 2nd, start its replacement:\n{launcher.Output}");
            Assert.That(seen.Max(), Is.LessThanOrEqualTo(2), "never more than N workers alive");
            Assert.That(seen.Min(), Is.GreaterThanOrEqualTo(1), "never fewer than N-1 workers alive");
            Assert.That(before.Where(ProcessProbe.IsAlive), Is.Empty, "both old workers are gone");
            Assert.That(launcher.HasExited, Is.False, "the launcher keeps running");
        });

        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }
}
