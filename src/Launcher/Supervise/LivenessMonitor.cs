using Launcher.Logging;
using Launcher.Spawn;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// Hang detection: pings a running worker every <c>ping.intervalSeconds</c> and calls it hung after
/// <c>ping.missedLimit</c> misses in a row. An answer with another node name is a miss (a pid reused). Its timer is
/// the ping schedule itself, the only periodic wake-up of a supervised run (issue 12).
/// </summary>
internal sealed class LivenessMonitor(IWorkerProbe probe, TimeProvider time, SlotPolicy policy, RunEvents events, ILogger logger)
{
    /// <summary>Completes with true when the worker is hung, false when cancelled first.</summary>
    public async Task<bool> WatchAsync(RunningWorker worker, CancellationToken cancellationToken)
    {
        var missed = 0;
        using var timer = new PeriodicTimer(policy.PingInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var outcome = await probe.PingAsync(worker, cancellationToken);
                if (outcome.Answered && outcome.Node == worker.Node)
                {
                    missed = 0;
                    worker.LastPingAt = time.GetUtcNow();
                    events.NoteChange(); // the status file shows lastPingAt: rewritten on the ping schedule, not a timer of its own
                    BrokenProbeNotice.Shared.Works(logger);
                    continue;
                }

                if (outcome.ProbeBroken)
                {
                    // No verdict on the worker: reported once, and the worker keeps running (issue 10).
                    BrokenProbeNotice.Shared.Broken(logger, outcome.Problem);
                    continue;
                }

                missed++;
                Log.PingMissed(logger, worker.Display, missed, policy.MissedPingLimit, outcome.Problem ?? "wrong node");
                if (missed >= policy.MissedPingLimit && policy.KillHung)
                    return true;
            }
        }
        catch (OperationCanceledException)
        {
        }

        return false;
    }
}
