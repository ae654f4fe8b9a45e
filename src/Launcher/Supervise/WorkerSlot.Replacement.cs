using Launcher.Logging;
using Launcher.Spawn;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>Bringing up a replacement: after a backoff (Starting) or for a rolling restart (Replacing, then Starting).</summary>
internal sealed partial class WorkerSlot
{
    // Replacing: stop the old worker gracefully, report it as stopped, start and verify the new one.
    private async Task<StartOutcome> ReplaceAsync(RunningWorker worker, TaskCompletionSource<bool> request, CancellationToken stopping)
    {
        try
        {
            _state.MoveTo(SlotState.Replacing, "rolling restart");
            await trees.StopTreeAsync(worker, stopping);
            Report(worker, await ExitAfterKillAsync(worker), ExitReason.Stopped);
            var outcome = await StartReplacementAsync("rolling restart", stopping);
            request.TrySetResult(outcome.Answered);
            return outcome;
        }
        finally
        {
            request.TrySetResult(false);
        }
    }

    /// <summary>Starting: spawns a replacement and waits until it answers (Running), exits, or stays silent.</summary>
    private async Task<StartOutcome> StartReplacementAsync(string why, CancellationToken stopping)
    {
        // Never a new worker once the run is stopping: the stop path may already have read Current.
        stopping.ThrowIfCancellationRequested();
        _state.MoveTo(SlotState.Starting, why);
        RunningWorker worker;
        try
        {
            worker = await SpawnAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _restart = null;
            Log.ReplacementNotStarted(logger, Index, ex.Message);
            return StartOutcome.NotSpawned(ex.Message);
        }

        Restarts++;
        events.Counters.Restarted(LastEnd?.Reason ?? ExitReason.Crashed); // why the worker it replaces ended (stopped: a rolling restart)
        events.Add(RunEventKind.WorkerRestarted, worker.Node, worker.Pid, $"slot #{Index}: {why}");
        using var verifying = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var answers = probe.WaitUntilAnswersAsync(worker, policy.StartTimeout, verifying.Token);

        // The verifier retries every 100 ms; a replacement that dies meanwhile is noticed by its exit event at
        // once (measured by bench/restart-latency.sh), not at the verifier's next turn.
        if (await Task.WhenAny(answers, worker.Exited) != answers)
        {
            await verifying.CancelAsync();
            try
            {
                await answers;
            }
            catch (OperationCanceledException) when (verifying.IsCancellationRequested)
            {
            }

            stopping.ThrowIfCancellationRequested();
            return StartOutcome.Ended(WorkerEndCause.Exited);
        }

        if (await answers)
        {
            _state.MoveTo(SlotState.Running, "its replacement answered");
            return StartOutcome.Running;
        }

        if (worker.Exited.IsCompleted)
            return StartOutcome.Ended(WorkerEndCause.Exited);

        // Counted like a crash, reported as hung: it ran but never answered.
        Log.ReplacementSilent(logger, worker.Display, policy.StartTimeout.TotalSeconds);
        return StartOutcome.Ended(WorkerEndCause.Silent);
    }

    private async Task<RunningWorker> SpawnAsync()
    {
        var worker = await starter.StartAsync(Index);
        if (Interlocked.Exchange(ref _restart, null) is { } restart)
        {
            var spawned = time.GetTimestamp();
            Log.RestartTimed(logger, Index, LastEnd?.Worker.Display ?? "?", restart.Since(time, restart.SlotWoke), restart.LeftoverCheck(time),
                restart.Since(time, restart.EndReported), restart.Since(time, restart.BackoffEnded != 0 ? restart.BackoffEnded : restart.EndReported),
                worker.Pid, restart.Since(time, worker.ForkTimestamp != 0 ? worker.ForkTimestamp : spawned), restart.Since(time, spawned));
        }

        Current = worker;
        Log.WorkerStarted(logger, worker.Node, worker.Pid, worker.Log.Path);
        events.Add(RunEventKind.WorkerStarted, worker.Node, worker.Pid, $"slot #{Index}");
        return worker;
    }
}
