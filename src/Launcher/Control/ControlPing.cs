using Launcher.Verify;

namespace Launcher.Control;

/// <summary>
/// `ping` over the control socket: the launcher pings each of its workers now, all at once (at most
/// <see cref="MaxParallel"/> at a time, so 500 workers with a <c>ping.command</c> do not fork 500 processes at
/// once). Requests that arrive while a round runs share it rather than start another. No cached answers: a ping
/// says who answers now, which the liveness loop's last results (up to <c>ping.intervalSeconds</c> old) cannot.
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
        using var slots = new SemaphoreSlim(MaxParallel);
        var answers = await Task.WhenAll(run.Workers().Select(async w =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                var outcome = await run.Pinger.PingAsync(w.Worker.Node, w.Worker.Pid, null, w.Worker.Index, cancellationToken);
                var answered = outcome.Answered && outcome.Node == w.Worker.Node;
                var problem = outcome.Answered && !answered ? $"answered as {outcome.Node}" : outcome.Problem;
                return new PingEntry(w.Worker.Node, w.Worker.Pid, answered, problem, StatusReport.FromLauncher);
            }
            finally
            {
                slots.Release();
            }
        }));

        var expected = run.Effective.Workers;
        var answeredCount = answers.Count(a => a.Answered);
        return new PingReport(run.Effective.Spec.Instance, expected, answeredCount, answeredCount == expected && answers.Length == expected, answers, StatusReport.FromLauncher);
    }
}
