using Launcher.Exceptions;
using Launcher.Kill;
using Launcher.Logging;
using Launcher.Spawn;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// One of the N places a worker runs in. Keeps a healthy worker there: notices its exit at once (the process
/// exit event, no polling), finds it hung after missed pings, and replaces it after a backoff. A failure here
/// is handled here; only a crash loop escapes.
/// </summary>
internal sealed class WorkerSlot(int index, RunContext context, RestartBackoff backoff, CrashLoopDetector crashLoop, ILogger logger)
{
    private TaskCompletionSource _restartRequest = NewSignal();
    private TaskCompletionSource? _restartDone;

    public int Index { get; } = index;
    public RunningWorker? Current { get; private set; }
    public int Restarts { get; private set; }
    public List<Task> PendingHooks { get; } = [];

    public async Task StartAsync()
    {
        Current = await context.Spawner.SpawnAsync(Index);
        Log.WorkerStarted(logger, Current.Node, Current.Pid, Current.Log.Path);
    }

    /// <summary>Replaces the worker once, gracefully (SIGHUP's rolling restart); completes when the new one answers.</summary>
    public Task RestartAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _restartDone = done;
        _restartRequest.TrySetResult();
        return done.Task;
    }

    public async Task SuperviseAsync(CancellationToken stopping)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var _ = stopping.Register(() => stopped.TrySetResult());

        while (Current is { } worker)
        {
            using var liveness = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var hung = WatchLivenessAsync(worker, liveness.Token);
            var finished = await Task.WhenAny(worker.Exited, hung, _restartRequest.Task, stopped.Task);
            await liveness.CancelAsync();
            if (stopping.IsCancellationRequested)
                return;

            if (finished == _restartRequest.Task)
            {
                await ReplaceForRestartAsync(worker, stopping);
                continue;
            }

            var reason = ExitReason.Crashed;
            if (finished == hung && await hung)
            {
                reason = ExitReason.Hung;
                Log.WorkerHung(logger, worker.Display, context.Spec.Ping.MissedLimit);
                await KillAsync(worker, stopping);
            }

            var exit = await worker.Exited;
            Log.WorkerExited(logger, worker.Display, exit.ToString(), reason);

            // A crashed worker's children (and any that setsid'd away) outlive it with its node name: left alone
            // they would count as a second worker of this slot next to the replacement, so the tree goes too.
            if (reason == ExitReason.Crashed && HasLeftovers(worker))
                await KillAsync(worker, stopping);
            Ended(worker, exit, reason);

            if (context.Flags.Debug || !context.Spec.Restart.Enabled)
            {
                Log.NoRestart(logger, worker.Display);
                Current = null;
                return;
            }

            if (crashLoop.RecordExit())
                throw new CrashLoopException(DescribeCrashLoop(worker, exit));

            var delay = backoff.NextDelay(exit.ExitedAt - worker.StartedAt);
            Log.RestartScheduled(logger, Index, delay.TotalSeconds);
            await Task.Delay(delay, context.Time, stopping);
            await StartReplacementAsync(stopping);
        }
    }

    /// <summary>Stops the current worker's whole tree: SIGTERM, grace, SIGKILL. Returns null when nothing ran.</summary>
    public async Task<KillResult?> StopAsync(CancellationToken cancellationToken)
    {
        if (Current is not { } worker || worker.Exited.IsCompleted && !HasLeftovers(worker))
        {
            if (Current is { } gone)
                Ended(gone, await gone.Exited, ExitReason.Stopped);
            return null;
        }

        var result = await KillAsync(worker, cancellationToken);
        var exit = await worker.Exited;
        Ended(worker, exit, ExitReason.Stopped);
        return result;
    }

    private async Task ReplaceForRestartAsync(RunningWorker worker, CancellationToken stopping)
    {
        _restartRequest = NewSignal();
        await KillAsync(worker, stopping);
        Ended(worker, await worker.Exited, ExitReason.Stopped);
        await StartReplacementAsync(stopping);
        _restartDone?.TrySetResult();
    }

    private async Task StartReplacementAsync(CancellationToken stopping)
    {
        await StartAsync();
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

            return; // the supervise loop handles the exit
        }

        if (!await answers && !worker.Exited.IsCompleted)
        {
            // Counted like a crash by the loop: it is killed as hung on the next turn.
            Log.ReplacementSilent(logger, worker.Display, context.Spec.StartTimeout.TotalSeconds);
            await KillAsync(worker, stopping);
        }
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
        var unit = context.Finder.Find().Units.FirstOrDefault(u => u.Pid == worker.Pid || u.Node == worker.Node);
        var members = unit?.Members ?? [];
        if (!members.Any(m => m.Identity == worker.Identity) && context.Platform.Processes.Get(worker.Pid) is { } self && self.Identity == worker.Identity)
            members = [.. members, self];
        var results = await context.Killer.KillAsync([(worker.Display, members)], context.Spec.StopGrace, cancellationToken);
        Log.TreeEnded(logger, results[0].ToString());
        return results[0];
    }

    private bool HasLeftovers(RunningWorker worker) =>
        context.Finder.Find().Units.Any(u => u.Node == worker.Node);

    // Once per worker: a crashed worker still in its slot during a backoff or a crash-loop stop must not be
    // reported again as "stopped" (the hook would run twice for one death).
    private void Ended(RunningWorker worker, WorkerExit exit, string reason)
    {
        if (worker.EndHandled)
            return;
        worker.EndHandled = true;
        File.Delete(context.Paths.RegistrationFile(worker.Pid));
        File.Delete(context.Paths.SocketFile(worker.Pid));
        worker.Log.Dispose();
        PendingHooks.RemoveAll(t => t.IsCompleted);
        PendingHooks.Add(context.Hook.RunAsync(worker.Node, worker.Pid, Index, exit, reason, CancellationToken.None));
    }

    private string DescribeCrashLoop(RunningWorker worker, WorkerExit exit)
    {
        var lines = worker.Log.RecentLines(10);
        var tail = lines.Count == 0 ? "(no output)" : string.Join(" | ", lines);
        return $"crash loop: {crashLoop.RecentExits} unexpected exits within {context.Spec.Restart.CrashLoopWindow.TotalSeconds:F0} s " +
            $"(restart:crashLoopCount {context.Spec.Restart.CrashLoopCount}); last was worker #{Index} {worker.Display}, {exit}; " +
            $"its last output: {tail}; full log: {worker.Log.Path}";
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
