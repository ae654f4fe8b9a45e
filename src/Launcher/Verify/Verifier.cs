using Launcher.Spawn;
using Launcher.Strays;

namespace Launcher.Verify;

/// <summary>
/// Verification counts every worker of the instance that can be found (registrations, marker, patterns), not
/// only the ones this launcher started: success means exactly N, all answering, each with the node name it
/// was given. A hand-started duplicate therefore fails it.
/// </summary>
internal sealed class Verifier(WorkerFinder finder, WorkerPinger pinger, TimeProvider time)
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(100);

    public async Task<VerificationResult> VerifyAsync(
        IReadOnlyList<RunningWorker> ours,
        TimeSpan timeout,
        Action<int, int>? progress,
        CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            var exited = ours.FirstOrDefault(w => w.Exited.IsCompleted);
            var result = await CheckOnceAsync(ours, cancellationToken);
            progress?.Invoke(result.Answered.Count, ours.Count);
            if (result.Success)
                return result;
            if (exited is not null)
                return result with { Reason = $"{exited.Display} exited ({await exited.Exited}) before verification" };
            if (result.Unexpected.Count > 0 && result.Silent.Count == 0 && result.Answered.Count == ours.Count)
            {
                // Ours all answer, so waiting cannot fix the count: somebody else's worker has to go first.
                return result with { Reason = "workers this launcher did not start run beside ours; stop them (`launcher strays --kill` lists and kills them) and start again" };
            }
            if (time.GetUtcNow() >= deadline)
                return result with { Reason = $"not verified within {timeout.TotalSeconds:F0} s (startTimeoutSeconds)" };
            await Task.Delay(RetryInterval, time, cancellationToken);
        }
    }

    /// <summary>Waits until one (replacement) worker answers with its node name, or its timeout passes.</summary>
    public async Task<bool> WaitUntilAnswersAsync(RunningWorker worker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (!worker.Exited.IsCompleted && time.GetUtcNow() < deadline)
        {
            var outcome = await pinger.PingAsync(worker.Node, worker.Pid, null, worker.Index, cancellationToken);
            if (outcome.Answered && outcome.Node == worker.Node)
            {
                worker.LastPingAt = time.GetUtcNow();
                return true;
            }

            await Task.Delay(RetryInterval, time, cancellationToken);
        }

        return false;
    }

    private async Task<VerificationResult> CheckOnceAsync(IReadOnlyList<RunningWorker> ours, CancellationToken cancellationToken)
    {
        var units = finder.Find().Units;
        var byPid = ours.ToDictionary(w => w.Pid);
        var outcomes = await Task.WhenAll(units.Select(async unit =>
        {
            var worker = unit.Pid is { } pid ? byPid.GetValueOrDefault(pid) : null;
            var node = unit.Node ?? worker?.Node;
            var outcome = unit.Pid is { } unitPid
                ? await pinger.PingAsync(node, unitPid, unit.Registration?.Socket, worker?.Index ?? 0, cancellationToken)
                : PingOutcome.Silent("no process");
            return (Unit: unit, Worker: worker, Outcome: outcome);
        }));

        var answered = new List<string>();
        var silent = new List<string>();
        var unexpected = new List<string>();
        foreach (var (unit, worker, outcome) in outcomes)
        {
            if (worker is null)
            {
                unexpected.Add($"{unit.Display} (found by {unit.FoundBy}{(outcome.Answered ? ", answering" : "")})");
                continue;
            }

            if (outcome.Answered && outcome.Node == worker.Node)
            {
                worker.LastPingAt = time.GetUtcNow();
                answered.Add(worker.Display);
            }
            else
            {
                silent.Add($"{worker.Display} ({(outcome.Answered ? $"answered as {outcome.Node}" : outcome.Problem)})");
            }
        }

        foreach (var worker in ours.Where(w => !outcomes.Any(o => o.Worker == w)))
            silent.Add($"{worker.Display} (not found)");

        var success = answered.Count == ours.Count && silent.Count == 0 && unexpected.Count == 0;
        return new VerificationResult(success, ours.Count, answered, silent, unexpected, null);
    }
}
