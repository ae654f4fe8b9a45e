using Launcher.Spawn;
using Launcher.Strays;

namespace Launcher.Verify;

/// <summary>
/// Verification counts every worker of the instance that can be found (registrations, marker, patterns), not
/// only the ones this launcher started: success means exactly N, all answering, each with the node name it
/// was given. A hand-started duplicate therefore fails it.
/// </summary>
/// <remarks>
/// It costs about what starting the workers costs (issue 12, part 5): a worker is pinged once it can answer (its
/// registration appeared, which <see cref="RegistrationWatch"/> reports as it happens; with <c>ping.command</c>, on
/// a doubling <see cref="RetryDelay"/>), the pings of one round run in parallel (<see cref="BoundedPings"/>), a worker
/// that answered is not pinged again, and the whole instance is looked for (a /proc scan) once, when all of ours
/// answered, and not every 100 ms. A worker's exit wakes it too.
/// </remarks>
internal sealed class Verifier(WorkerFinder finder, WorkerPinger pinger, TimeProvider time)
{
    private readonly RegistrationWatch _registrations = new(pinger.Paths.WorkersDir);

    public async Task<VerificationResult> VerifyAsync(
        IReadOnlyList<RunningWorker> ours,
        TimeSpan timeout,
        Action<int, int>? progress,
        CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        var watching = !pinger.UsesCommand && _registrations.Acquire();
        try
        {
            var answered = new HashSet<RunningWorker>();
            var anyExit = ours.Count == 0 ? Task.CompletedTask : Task.WhenAny(ours.Select(w => (Task)w.Exited));
            var delay = new RetryDelay();
            // The one full look at the instance: every process of the machine read, on the pool.
            Task<IReadOnlyList<WorkerUnit>> LookAtAll() => Task.Run(() => finder.Find().Units, cancellationToken);
            while (true)
            {
                var change = _registrations.NextChange();
                var ready = ours.Where(w => !answered.Contains(w) && !w.Exited.IsCompleted && MayAnswer(w)).ToList();
                // The full look reads every process of the machine, which takes a second on a machine busy with 50
                // workers starting: begun beside the round that asks the last of ours, not after it (and not used by
                // a later check, which must look again).
                var scan = answered.Count + ready.Count == ours.Count ? LookAtAll() : null;
                var outcomes = await BoundedPings.RunAsync(ready, w => pinger.PingAsync(w.Node, w.Pid, null, w.Index, cancellationToken), cancellationToken);
                for (var i = 0; i < ready.Count; i++)
                {
                    if (outcomes[i].Answered && outcomes[i].Node == ready[i].Node)
                    {
                        ready[i].LastPingAt = time.GetUtcNow();
                        answered.Add(ready[i]);
                    }
                }

                progress?.Invoke(answered.Count, ours.Count);
                var exited = ours.FirstOrDefault(w => w.Exited.IsCompleted);
                var late = time.GetUtcNow() >= deadline;
                if (answered.Count == ours.Count || exited is not null || late)
                {
                    // The one full look: every worker of the instance that can be found, each pinged.
                    var result = await CheckOnceAsync(ours, answered, await (scan ?? LookAtAll()), cancellationToken);
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

                    if (late)
                        return result with { Reason = $"not verified within {timeout.TotalSeconds:F0} s (startTimeoutSeconds)" };
                    answered.RemoveWhere(w => !result.Answered.Contains(w.Display)); // fell silent since: ask again
                }

                await WaitForChangeAsync(watching ? change : null, anyExit, delay.Next(), deadline, cancellationToken);
            }
        }
        finally
        {
            if (watching)
                _registrations.Release();
        }
    }

    /// <summary>Waits until one (replacement) worker answers with its node name, or its timeout passes.</summary>
    public async Task<bool> WaitUntilAnswersAsync(RunningWorker worker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        var watching = !pinger.UsesCommand && _registrations.Acquire();
        try
        {
            var delay = new RetryDelay();
            while (!worker.Exited.IsCompleted && time.GetUtcNow() < deadline)
            {
                var change = _registrations.NextChange();
                if (MayAnswer(worker))
                {
                    var outcome = await pinger.PingAsync(worker.Node, worker.Pid, null, worker.Index, cancellationToken);
                    if (outcome.Answered && outcome.Node == worker.Node)
                    {
                        worker.LastPingAt = time.GetUtcNow();
                        return true;
                    }
                }

                await WaitForChangeAsync(watching ? change : null, worker.Exited, delay.Next(), deadline, cancellationToken);
            }

            return false;
        }
        finally
        {
            if (watching)
                _registrations.Release();
        }
    }

    // A worker of the socket protocol can answer once it registered (PROTOCOL.md: registered means "answers a ping"),
    // or at least bound its socket; one pinged by command can be asked at any time.
    private bool MayAnswer(RunningWorker worker) =>
        pinger.UsesCommand || File.Exists(pinger.Paths.RegistrationFile(worker.Pid)) || File.Exists(pinger.Paths.SocketFile(worker.Pid));

    // Until a registration appears, a worker exits, the retry delay passes (the safety net when watching, the pace
    // when not) or the deadline comes.
    private async Task WaitForChangeAsync(Task? registration, Task exit, TimeSpan retry, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var left = deadline - time.GetUtcNow();
        var wait = left < retry ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : retry;
        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(wait, time, stopWaiting.Token);
        await (registration is null ? Task.WhenAny(exit, timer) : Task.WhenAny(registration, exit, timer));
        await stopWaiting.CancelAsync(); // the timer's, not the caller's
        cancellationToken.ThrowIfCancellationRequested();
    }

    // Everything found is pinged, but ours that answered during this verification are not asked again: their answer
    // is seconds old at most, an exit since ends the wait, and 50 more pings to workers still busy starting would
    // cost the last moments of a 50-worker start (issue 12, part 5).
    private async Task<VerificationResult> CheckOnceAsync(IReadOnlyList<RunningWorker> ours, HashSet<RunningWorker> answeredNow,
        IReadOnlyList<WorkerUnit> units, CancellationToken cancellationToken)
    {
        var byPid = ours.ToDictionary(w => w.Pid);
        var outcomes = await BoundedPings.RunAsync(units, async unit =>
        {
            var worker = unit.Pid is { } pid ? byPid.GetValueOrDefault(pid) : null;
            var node = unit.Node ?? worker?.Node;
            var outcome = worker is not null && answeredNow.Contains(worker) && !worker.Exited.IsCompleted
                ? PingOutcome.Answer(worker.Node)
                : unit.Pid is { } unitPid
                ? await pinger.PingAsync(node, unitPid, unit.Registration?.Socket, worker?.Index ?? 0, cancellationToken)
                : PingOutcome.Silent("no process");
            return (Unit: unit, Worker: worker, Outcome: outcome);
        }, cancellationToken);

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
