using Launcher.Verify;

namespace Launcher.Control;

/// <summary>
/// `ping` over the control socket: the launcher pings each of its workers now, all at once (at most
/// <see cref="MaxParallel"/> at a time, so 500 workers with a <c>ping.command</c> do not fork 500 processes at
/// once). Socket-protocol workers are pinged by <see cref="SocketPingRound"/> from one thread of its own; a
/// <c>ping.command</c> (and Windows' pipes) through the <see cref="WorkerPinger"/>. Requests that arrive while a round
/// runs share it rather than start another. No cached answers: a ping says who answers now, which the liveness loop's
/// last results (up to <c>ping.intervalSeconds</c> old) cannot.
/// </summary>
internal sealed class ControlPing(LiveRun run)
{
    public const int MaxParallel = 16;
    private readonly Lock _gate = new();
    private Task<PingReport>? _round;

    public Task<PingReport> PingAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_round is { IsCompleted: false } running)
                return running;
            return _round = RoundAsync(cancellationToken);
        }
    }

    private async Task<PingReport> RoundAsync(CancellationToken cancellationToken)
    {
        var workers = run.Workers();
        var answers = run.Pinger.UsesCommand || OperatingSystem.IsWindows()
            ? await ByPingerAsync(workers, cancellationToken)
            : await Task.Factory.StartNew(() => BySocket(workers, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var expected = run.Effective.Workers;
        var answeredCount = answers.Count(a => a.Answered);
        return new PingReport(run.Effective.Spec.Instance, expected, answeredCount, answeredCount == expected && answers.Length == expected, answers, StatusReport.FromLauncher);
    }

    // The socket protocol on a thread of its own (SocketPingRound): all pings out at once, one poll(2) for the replies.
    private PingEntry[] BySocket(IReadOnlyList<(Supervise.WorkerSlot Slot, Spawn.RunningWorker Worker)> workers, CancellationToken cancellationToken)
    {
        var targets = workers.Select(w => (run.Pinger.Paths.SocketFile(w.Worker.Pid), w.Worker.Pid)).ToList();
        var outcomes = SocketPingRound.Run(targets, MaxParallel, run.Effective.Spec.Ping.Timeout, cancellationToken);
        return [.. workers.Select((w, i) => Entry(w.Worker, outcomes[i]))];
    }

    // ping.command (a process per ping), and Windows' named pipes: through the pinger, at most MaxParallel at a time.
    private async Task<PingEntry[]> ByPingerAsync(IReadOnlyList<(Supervise.WorkerSlot Slot, Spawn.RunningWorker Worker)> workers, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(MaxParallel);
        return await Task.WhenAll(workers.Select(async w =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                return Entry(w.Worker, await run.Pinger.PingAsync(w.Worker.Node, w.Worker.Pid, null, w.Worker.Index, cancellationToken));
            }
            finally
            {
                slots.Release();
            }
        }));
    }

    // Answered counts only under the worker's own node name.
    private static PingEntry Entry(Spawn.RunningWorker worker, PingOutcome outcome)
    {
        var answered = outcome.Answered && outcome.Node == worker.Node;
        var problem = outcome.Answered && !answered ? $"answered as {outcome.Node}" : outcome.Problem;
        return new PingEntry(worker.Node, worker.Pid, answered, problem, StatusReport.FromLauncher);
    }
}
