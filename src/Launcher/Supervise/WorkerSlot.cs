using System.Threading.Channels;
using Launcher.Exceptions;
using Launcher.Logging;
using Launcher.Spawn;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// One of the N places a worker runs in, as a state machine (<see cref="SlotState"/>, moved only through
/// <see cref="SlotStateMachine.MoveTo"/>). Keeps a healthy worker there: notices its exit at once (the process exit
/// event, no polling), finds it hung after missed pings, and replaces it after a backoff. A failure here (a crash, a
/// hang, a replacement that cannot even be spawned) is handled here; only a crash loop of this slot escapes.
/// </summary>
/// <remarks>
/// <see cref="Current"/> is the worker whose end has not been reported yet: reporting clears it, so each worker is
/// reported exactly once. The slot's loop owns every field while the run supervises; the stop path takes over
/// (<see cref="BeginStop"/>) only after that loop has returned.
/// </remarks>
internal sealed partial class WorkerSlot(
    int index,
    IWorkerStarter starter,
    IWorkerProbe probe,
    ITreeStopper trees,
    IEndReporter ends,
    TimeProvider time,
    RestartBackoff backoff,
    CrashLoopDetector crashLoop,
    SlotPolicy policy,
    RunEvents events,
    ILogger logger)
{
    private readonly SlotStateMachine _state = new(index, logger);
    private readonly LivenessMonitor _liveness = new(probe, time, policy, events, logger);

    // Rolling-restart requests, each completed with whether its replacement answered. Read only while Running.
    private readonly Channel<TaskCompletionSource<bool>> _replaceRequests = Channel.CreateUnbounded<TaskCompletionSource<bool>>();

    // The restart under way after an end, until its replacement is forked (then logged, event 1100).
    private RestartTimings? _restart;

    public int Index { get; } = index;

    public SlotState State => _state.Current;

    /// <summary>The worker in this slot whose end has not been reported yet (null while backing off or ended).</summary>
    public RunningWorker? Current { get; private set; }

    public int Restarts { get; private set; }

    /// <summary>Unexpected exits of this slot within the crash-loop window (the crash-loop state, for /metrics).</summary>
    public int RecentCrashes => crashLoop.ExitsWithinWindow();

    /// <summary>How the last worker of this slot ended, once one did.</summary>
    public WorkerEnd? LastEnd { get; private set; }

    /// <summary>The first spawn (Starting); a failure here is the run's failure, not a crash to retry.</summary>
    public async Task StartAsync() => await SpawnAsync();

    /// <summary>
    /// Asks for one graceful replacement (SIGHUP's rolling restart); completes with true when the new worker
    /// answers, false when it exited, stayed silent, could not be spawned, or the slot stopped first.
    /// </summary>
    public Task<bool> RequestReplacementAsync()
    {
        var request = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_replaceRequests.Writer.TryWrite(request))
            request.TrySetResult(false);
        return request.Task;
    }

    /// <summary>The slot's loop, from verification (Starting -> Running) until the run stops or the slot ends.</summary>
    public async Task SuperviseAsync(CancellationToken stopping)
    {
        try
        {
            _state.MoveTo(SlotState.Running, "verified");
            await LoopAsync(stopping);
        }
        finally
        {
            _replaceRequests.Writer.TryComplete();
            while (_replaceRequests.Reader.TryRead(out var request))
                request.TrySetResult(false);
        }
    }

    // Invariant at the top of each round: Running, with a worker.
    private async Task LoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var worker = Current!;
            var (wake, request) = await WaitForChangeAsync(worker, stopping);
            if (wake is null && request is null)
                return; // stopping: the stop path reports this worker, as "stopped"

            var outcome = request is not null
                ? await ReplaceAsync(worker, request, stopping)
                : StartOutcome.Ended(wake.GetValueOrDefault());

            // Until a worker answers again (Running) or the slot ends.
            while (!outcome.Answered)
            {
                var (ranFor, last) = outcome.Error is { } error
                    ? (TimeSpan.Zero, $"a replacement that could not be started: {error}")
                    : await EndWorkerAsync(Current!, outcome.Cause, stopping);

                if (!policy.Restart)
                {
                    Log.NoRestart(logger, LastEnd?.Worker.Display ?? $"slot #{Index}", policy.NoRestartReason);
                    _state.MoveTo(SlotState.Ended, "not restarted");
                    return;
                }

                outcome = await BackOffAndRestartAsync(ranFor, last, stopping);
            }
        }
    }

    /// <summary>Running: waits for the worker's exit, a hang, a replacement request or the stop (null).</summary>
    private async Task<(WorkerEndCause? Wake, TaskCompletionSource<bool>? Request)> WaitForChangeAsync(RunningWorker worker, CancellationToken stopping)
    {
        while (true)
        {
            using var watching = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var hung = _liveness.WatchAsync(worker, watching.Token);
            var requested = _replaceRequests.Reader.WaitToReadAsync(watching.Token).AsTask();
            var finished = await Task.WhenAny(worker.Exited, hung, requested);
            await watching.CancelAsync();
            await Task.WhenAll(hung, requested).ContinueWith(_ => { }, TaskScheduler.Default);
            if (stopping.IsCancellationRequested)
                return (null, null);
            if (finished == requested && requested.IsCompletedSuccessfully && _replaceRequests.Reader.TryRead(out var request))
                return (null, request);
            if (finished == hung && hung.Result)
                return (WorkerEndCause.Hung, null);
            if (worker.Exited.IsCompleted)
                return (WorkerEndCause.Exited, null);
        }
    }

    /// <summary>A worker that ended on its own, hung or stayed silent: kill if needed, log, clean up, report.</summary>
    private async Task<(TimeSpan RanFor, string Last)> EndWorkerAsync(RunningWorker worker, WorkerEndCause cause, CancellationToken stopping)
    {
        var woke = time.GetTimestamp();
        var reason = ExitClassifier.ReasonFor(cause);
        if (cause == WorkerEndCause.Hung)
        {
            Log.WorkerHung(logger, worker.Display, policy.MissedPingLimit);
            events.Add(RunEventKind.WorkerHung, worker.Node, worker.Pid, $"missed {policy.MissedPingLimit} pings");
        }

        if (ExitClassifier.MustKill(cause))
            await trees.StopTreeAsync(worker, stopping);

        var exit = await ExitAfterKillAsync(worker);
        Log.WorkerExited(logger, worker.Display, exit.ToString(), reason);
        var checking = time.GetTimestamp();
        var leftovers = ExitClassifier.MayLeaveChildren(cause) && trees.HasLeftovers(worker);
        var checkedAt = time.GetTimestamp();
        if (leftovers)
            await trees.StopTreeAsync(worker, stopping);
        await WorkerWaits.DrainAsync(worker, time); // its last lines belong in the log and the crash-loop message
        Report(worker, exit, reason);
        _restart = new RestartTimings(exit.Timestamp != 0 ? exit.Timestamp : woke, woke, checking, checkedAt, time.GetTimestamp());
        return (exit.ExitedAt - worker.StartedAt, $"{worker.Display}, {exit}; its last output: {Tail(worker)}; full log: {worker.Log.CurrentPath}");
    }

    // BackingOff: crash-loop check, backoff, then Starting again. A replacement that cannot even be spawned (its
    // working directory gone, its program removed) counts as one more crash of this slot and comes back here.
    private async Task<StartOutcome> BackOffAndRestartAsync(TimeSpan ranFor, string last, CancellationToken stopping)
    {
        _state.MoveTo(SlotState.BackingOff, "its worker ended");
        if (crashLoop.RecordExit())
        {
            _state.MoveTo(SlotState.Ended, "crash loop");
            throw new CrashLoopException(Index, crashLoop.RecentExits, policy.CrashLoopWindow, policy.CrashLoopCount, last);
        }

        var delay = backoff.NextDelay(ranFor);
        Log.RestartScheduled(logger, Index, delay.TotalSeconds);
        if (delay > TimeSpan.Zero)
            await Task.Delay(delay, time, stopping); // initialDelaySeconds 0: no timer at all on the first restart
        _restart = _restart is null ? null : _restart with { BackoffEnded = time.GetTimestamp() };
        return await StartReplacementAsync("restart after backoff", stopping);
    }

    private Task<WorkerExit> ExitAfterKillAsync(RunningWorker worker) => WorkerWaits.ExitAfterKillAsync(worker, time, logger);

    private void Report(RunningWorker worker, WorkerExit exit, string reason)
    {
        Current = null;
        LastEnd = new WorkerEnd(worker, exit, reason);
        ends.Report(Index, worker, exit, reason);
    }

    private static string Tail(RunningWorker worker)
    {
        var lines = worker.Log.RecentLines(10);
        return lines.Count == 0 ? "(no output)" : string.Join(" | ", lines);
    }
}
