using Launcher.Exceptions;
using Launcher.Kill;
using Launcher.Logging;
using Launcher.Platform;
using Launcher.Spawn;
using Launcher.Strays;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// One of the N places a worker runs in. Keeps a healthy worker there: notices its exit at once (the process
/// exit event, no polling), finds it hung after missed pings, and replaces it after a backoff. A failure here
/// (a crash, a hang, a replacement that cannot even be spawned) is handled here; only a crash loop of this
/// slot escapes.
/// </summary>
internal sealed class WorkerSlot(int index, RunContext context, RestartBackoff backoff, CrashLoopDetector crashLoop, ILogger logger)
{
    // A worker's last lines may still be in the pipe when its exit event fires; a grandchild holding the pipe
    // open must not delay the report for long.
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(2);

    // After TreeKiller's grace and SIGKILL the exit event is due at once; survivors (a D-state process, another
    // uid) must not hang the stop for ever.
    private static readonly TimeSpan ExitAfterKillLimit = TimeSpan.FromSeconds(5);

    private readonly List<Task> _pendingHooks = [];
    private TaskCompletionSource _restartRequest = NewSignal();
    private TaskCompletionSource<bool>? _restartDone;
    private string? _killedAs;

    public int Index { get; } = index;
    public RunningWorker? Current { get; private set; }
    public int Restarts { get; private set; }

    /// <summary>How the last worker of this slot ended, once one did.</summary>
    public (RunningWorker Worker, WorkerExit Exit)? LastEnd { get; private set; }

    /// <summary>The exit hooks and log flushes still running (a snapshot: the slot and the stop path both add).</summary>
    public IReadOnlyList<Task> PendingHooks
    {
        get
        {
            lock (_pendingHooks)
                return _pendingHooks.ToArray();
        }
    }

    public async Task StartAsync()
    {
        Current = await context.Spawner.SpawnAsync(Index);
        Log.WorkerStarted(logger, Current.Node, Current.Pid, Current.Log.Path);
    }

    /// <summary>
    /// Replaces the worker once, gracefully (SIGHUP's rolling restart); completes with true when the new one
    /// answers, false when it exited, stayed silent or could not be spawned.
    /// </summary>
    public Task<bool> RestartAsync()
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _restartDone = done;
        _restartRequest.TrySetResult();
        return done.Task;
    }

    public async Task SuperviseAsync(CancellationToken stopping)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var _ = stopping.Register(() => stopped.TrySetResult());
        try
        {
            await SuperviseLoopAsync(stopped.Task, stopping);
        }
        finally
        {
            _restartDone?.TrySetResult(false);
        }
    }

    private async Task SuperviseLoopAsync(Task stopped, CancellationToken stopping)
    {
        while (Current is { } worker && !stopping.IsCancellationRequested)
        {
            using var liveness = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var hung = WatchLivenessAsync(worker, liveness.Token);
            var finished = await Task.WhenAny(worker.Exited, hung, _restartRequest.Task, stopped);
            await liveness.CancelAsync();
            if (stopping.IsCancellationRequested)
                return; // the stop path reports this worker, as "stopped"

            if (finished == _restartRequest.Task)
            {
                await ReplaceForRestartAsync(worker, stopping);
                continue;
            }

            var reason = _killedAs ?? ExitReason.Crashed;
            _killedAs = null;
            if (finished == hung && await hung)
            {
                reason = ExitReason.Hung;
                Log.WorkerHung(logger, worker.Display, context.Spec.Ping.MissedLimit);
                await KillAsync(worker, stopping);
            }

            var exit = await ExitAfterKillAsync(worker);
            Log.WorkerExited(logger, worker.Display, exit.ToString(), reason);

            // A crashed worker's children (and any that setsid'd away) outlive it with its node name: left alone
            // they would count as a second worker of this slot next to the replacement, so the tree goes too.
            if (reason == ExitReason.Crashed && HasLeftovers(worker))
                await KillAsync(worker, stopping);
            await worker.WaitForOutputAsync(DrainLimit); // its last lines belong in the log and the crash-loop message
            Ended(worker, exit, reason);

            if (context.Flags.Debug || !context.Spec.Restart.Enabled)
            {
                Log.NoRestart(logger, worker.Display);
                Current = null;
                return;
            }

            await RestartAfterCrashAsync(worker, exit, stopping);
        }
    }

    // Crash-loop check, backoff, respawn; a replacement that cannot even be spawned (its working directory
    // gone, its program removed) counts as one more crash of this slot and goes round again.
    private async Task RestartAfterCrashAsync(RunningWorker worker, WorkerExit exit, CancellationToken stopping)
    {
        var ranFor = exit.ExitedAt - worker.StartedAt;
        var last = $"{worker.Display}, {exit}; its last output: {Tail(worker)}; full log: {worker.Log.Path}";
        while (true)
        {
            if (crashLoop.RecordExit())
                throw new CrashLoopException(Index, crashLoop.RecentExits, context.Spec.Restart.CrashLoopWindow, context.Spec.Restart.CrashLoopCount, last);

            var delay = backoff.NextDelay(ranFor);
            Log.RestartScheduled(logger, Index, delay.TotalSeconds);
            await Task.Delay(delay, context.Time, stopping);

            var spawnError = await StartReplacementAsync(stopping);
            if (spawnError is null)
                return;
            ranFor = TimeSpan.Zero;
            last = $"a replacement that could not be started: {spawnError}";
        }
    }

    /// <summary>The tree to stop for this slot's current worker, from one shared discovery (null: nothing runs).</summary>
    public (string Name, IReadOnlyList<ProcessInfo> Members)? StopTarget(Discovery discovery)
    {
        if (Current is not { } worker || worker.EndHandled)
            return null;
        var members = MembersOf(worker, discovery);
        return members.Count == 0 ? null : (worker.Display, members);
    }

    /// <summary>After the stop signals: waits (bounded) for the current worker's exit and reports it as stopped.</summary>
    public async Task FinishStopAsync()
    {
        if (Current is not { } worker || worker.EndHandled)
            return;
        var exit = await ExitAfterKillAsync(worker);
        Ended(worker, exit, ExitReason.Stopped);
    }

    private async Task ReplaceForRestartAsync(RunningWorker worker, CancellationToken stopping)
    {
        _restartRequest = NewSignal();
        await KillAsync(worker, stopping);
        Ended(worker, await ExitAfterKillAsync(worker), ExitReason.Stopped);
        var spawnError = await StartReplacementAsync(stopping);
        var answered = spawnError is null && Current is { } replacement && replacement != worker && !replacement.Exited.IsCompleted && _killedAs is null;
        _restartDone?.TrySetResult(answered);
    }

    /// <summary>Spawns a replacement and waits until it answers; returns why it could not be spawned, or null.</summary>
    private async Task<string?> StartReplacementAsync(CancellationToken stopping)
    {
        // Never a new worker once the run is stopping: the stop path may already have read Current.
        stopping.ThrowIfCancellationRequested();
        try
        {
            await StartAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Warn(logger, $"worker slot #{Index}: could not start a replacement: {ex.Message}");
            return ex.Message;
        }

        Restarts++;
        var worker = Current!;
        using var verifying = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var answers = context.Verifier.WaitUntilAnswersAsync(worker, context.Spec.StartTimeout, verifying.Token);

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

            return null; // the supervise loop handles the exit
        }

        if (!await answers && !worker.Exited.IsCompleted)
        {
            // Counted like a crash by the loop, reported as hung: it ran but never answered.
            Log.ReplacementSilent(logger, worker.Display, context.Spec.StartTimeout.TotalSeconds);
            _killedAs = ExitReason.Hung;
            await KillAsync(worker, stopping);
        }

        return null;
    }

    private async Task<bool> WatchLivenessAsync(RunningWorker worker, CancellationToken cancellationToken)
    {
        var missed = 0;
        using var timer = new PeriodicTimer(context.Spec.Ping.Interval, context.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var outcome = await context.Pinger.PingAsync(worker.Node, worker.Pid, null, worker.Index, cancellationToken);
                if (outcome.Answered && outcome.Node == worker.Node)
                {
                    missed = 0;
                    worker.LastPingAt = context.Time.GetUtcNow();
                    continue;
                }

                missed++;
                Log.PingMissed(logger, worker.Display, missed, context.Spec.Ping.MissedLimit, outcome.Problem ?? "wrong node");
                // --debug: a worker paused at a breakpoint answers nothing, and killing it as hung would end the session.
                if (missed >= context.Spec.Ping.MissedLimit && !context.Flags.Debug)
                    return true;
            }
        }
        catch (OperationCanceledException)
        {
        }

        return false;
    }

    private async Task<KillResult> KillAsync(RunningWorker worker, CancellationToken cancellationToken)
    {
        var members = MembersOf(worker, context.Finder.Find());
        var results = await context.Killer.KillAsync([(worker.Display, members)], context.Spec.StopGrace, cancellationToken);
        Log.TreeEnded(logger, results[0].ToString());
        return results[0];
    }

    private IReadOnlyList<ProcessInfo> MembersOf(RunningWorker worker, Discovery discovery)
    {
        var unit = discovery.Units.FirstOrDefault(u => u.Pid == worker.Pid || u.Node == worker.Node);
        var members = unit?.Members ?? [];
        if (!members.Any(m => m.Identity == worker.Identity) && context.Platform.Processes.Get(worker.Pid) is { } self && self.Identity == worker.Identity)
            members = [.. members, self];
        return members;
    }

    // The exit event follows a kill at once, unless the kill left the worker alive: then say so and carry on
    // with a made-up exit rather than wait for ever.
    private async Task<WorkerExit> ExitAfterKillAsync(RunningWorker worker)
    {
        try
        {
            return await worker.Exited.WaitAsync(ExitAfterKillLimit);
        }
        catch (TimeoutException)
        {
            Log.Warn(logger, $"worker {worker.Display} is still alive {ExitAfterKillLimit.TotalSeconds:F0} s after SIGKILL; leaving it");
            return new WorkerExit(128 + 9, context.Time.GetUtcNow());
        }
    }

    private bool HasLeftovers(RunningWorker worker) =>
        context.Finder.Find().Units.Any(u => u.Node == worker.Node);

    // Once per worker: a crashed worker still in its slot during a backoff or a crash-loop stop must not be
    // reported again as "stopped" (the hook would run twice for one death). The slot's loop and the stop path
    // may both get here; the first one reports.
    private void Ended(RunningWorker worker, WorkerExit exit, string reason)
    {
        if (!worker.TryMarkEnded())
            return;
        LastEnd = (worker, exit);
        File.Delete(context.Paths.RegistrationFile(worker.Pid));
        File.Delete(context.Paths.SocketFile(worker.Pid));
        var hook = context.Hook.RunAsync(worker.Node, worker.Pid, Index, exit, reason, CancellationToken.None);
        var flush = CloseLogAsync(worker);
        lock (_pendingHooks)
        {
            _pendingHooks.RemoveAll(t => t.IsCompleted);
            _pendingHooks.Add(hook);
            _pendingHooks.Add(flush);
        }
    }

    // CliWrap's task completes once the pipes are drained; only then is every line in the log file.
    private static async Task CloseLogAsync(RunningWorker worker)
    {
        await worker.WaitForOutputAsync(DrainLimit);
        worker.Log.Dispose();
    }

    private static string Tail(RunningWorker worker)
    {
        var lines = worker.Log.RecentLines(10);
        return lines.Count == 0 ? "(no output)" : string.Join(" | ", lines);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
