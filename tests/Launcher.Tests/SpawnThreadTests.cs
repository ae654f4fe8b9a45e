using System.Text.Json;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 4, the parent-death-signal thread trap: PR_SET_PDEATHSIG fires when the *thread* that forked the worker
/// exits (prctl(2)), and a thread-pool thread retires after ~20 s idle. A worker forked from one would be killed
/// by the kernel while perfectly healthy. Its own fixture: it takes a minute and runs beside the others.
/// </summary>
[TestFixture]
public sealed class SpawnThreadTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Test, CancelAfter(180_000)]
    public async Task A_worker_is_still_the_same_process_a_minute_after_spawn_while_the_launcher_keeps_pinging(CancellationToken cancellationToken)
    {
        // Arrange: pings every second keep the launcher's thread pool busy (and its threads coming and going).
        await using var sandbox = new Sandbox();
        var config = new LauncherConfig
        {
            Command = [Repo.SampleWorkerExe, "--tick-seconds", "5"],
            Ping = new { intervalSeconds = 1, timeoutSeconds = 5, missedLimit = 3 },
        };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var launcher = run.Process;
        var worker = run.Workers.Single().Pid;
        var startTicks = ProcessProbe.StartTicks(worker);
        var spawnedAt = DateTime.UtcNow;

        // The kernel says which thread forked it: the dedicated spawn thread, not a thread-pool thread.
        Assert.That(Supervision.ForkingThread(launcher.Pid, worker), Is.EqualTo("launcher-spawn"));

        // Act: a minute passes; the worker must stay the same process all along, and the launcher keep pinging it.
        var pingTimes = new HashSet<string>(StringComparer.Ordinal);
        while (DateTime.UtcNow - spawnedAt < Lifetime)
        {
            Assert.That(ProcessProbe.StartTicks(worker), Is.EqualTo(startTicks),
                $"worker {worker} died {(DateTime.UtcNow - spawnedAt).TotalSeconds:F1} s after spawn. Launcher output:\n{launcher.Output}");
            if (LastPingAt(sandbox) is { } lastPing)
                pingTimes.Add(lastPing);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken); // the pace of the check, not a wait for a state
        }

        // Assert
        var ping = await Supervision.PingAsync(sandbox, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(ProcessProbe.StartTicks(worker), Is.EqualTo(startTicks), "the same process, not a replacement");
            Assert.That(ping.IsExactlyOne(worker), Is.True, ping.Raw);
            Assert.That(pingTimes, Has.Count.GreaterThanOrEqualTo(10), "the launcher pinged the worker throughout (status file lastPingAt)");
            Assert.That(launcher.Output, Does.Not.Contain(" ended: "), "no worker ended");
        });

        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        await Eventually.TrueAsync(() => sandbox.Survivors().Count == 0, Deadline, "nothing is left after SIGTERM", cancellationToken);
    }

    private static string? LastPingAt(Sandbox sandbox)
    {
        try
        {
            using var status = JsonDocument.Parse(File.ReadAllText(sandbox.Paths.StatusFile));
            return status.RootElement.GetProperty("workers").EnumerateArray()
                .Select(w => w.GetProperty("lastPingAt").GetString())
                .FirstOrDefault();
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null; // not written yet, or being replaced
        }
    }
}
