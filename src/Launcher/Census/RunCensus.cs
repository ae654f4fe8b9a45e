using Launcher.Agent.Protocol;
using Launcher.Exceptions;
using Launcher.Logging;
using Launcher.Spawn;
using Launcher.Strays;
using Launcher.Supervise;
using Microsoft.Extensions.Logging;

namespace Launcher.Census;

/// <summary>
/// The census in one `launcher run` (issue 11; rules in docs/ARCHITECTURE.md, "Queue truth"): before spawning it
/// cleans lost registrations with <c>onWorkerExit</c> (reason <c>lost</c>) and stops or refuses foreign consumers;
/// verification waits until the census lists exactly our workers in scope; while supervising
/// (<see cref="CensusWatch"/>) it keeps looking. At start every failure is exit 4; while supervising only a warning.
/// </summary>
internal sealed class RunCensus
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(250);

    private readonly RunContext _context;
    private readonly CensusSpec _spec;
    private readonly CensusRunner _runner;
    private readonly ForeignConsumerJudge _judge;
    private readonly RunEvents _events;
    private readonly ILogger _logger;
    private readonly string _host = SelfIdentity.HostName;
    private CensusWatch? _watch;
    private DateTimeOffset _sweepEnded;
    private DateTimeOffset _lastAt;

    private RunCensus(RunContext context, CensusSpec spec, RunEvents events, ILogger logger)
    {
        _context = context;
        _spec = spec;
        _events = events;
        _logger = logger;
        var commands = new ContainedCommand(context.Containment.Cgroups, context.Children, context.Platform.Containment, logger);
        _runner = new CensusRunner(context.Spec, spec, commands, context.Time);
        _judge = new ForeignConsumerJudge(
            context.Platform.Processes, context.Finder, new ConfiguredProgram(context.Spec.Command.Program, context.Platform), context.Spec.Instance, _host, context.Effective.NoKill);
        Record = new CensusRecord(spec);
    }

    /// <summary>What the census saw last, for the status file.</summary>
    public CensusRecord Record { get; }

    /// <summary>The run's census, or null when the config has none.</summary>
    public static RunCensus? For(RunContext context, RunEvents events, ILogger logger) =>
        context.Spec.Census is { } spec ? new RunCensus(context, spec, events, logger) : null;

    /// <summary>
    /// Right after the stray sweep, before any worker of ours exists: lost registrations get <c>onWorkerExit</c>
    /// (reason <c>lost</c>) once each, then the census is asked again; what is still listed in scope is foreign:
    /// stopped when it is a stray on this machine, else exit 4 naming it.
    /// </summary>
    public async Task BeforeSpawnAsync(CancellationToken cancellationToken)
    {
        _sweepEnded = _context.Time.GetUtcNow();
        var result = await CensusOrFailAsync(cancellationToken);
        var verdict = Classify(result, []);
        Log.CensusAtStart(_logger, _spec.ScopeName, verdict.Describe());
        if (verdict.Stale.Count > 0)
        {
            if (_context.Spec.OnWorkerExit is null)
            {
                Log.CensusLostWithoutHook(_logger, string.Join(", ", verdict.Stale.Select(e => e.Node)));
            }
            else
            {
                foreach (var lost in verdict.Stale)
                {
                    var pid = OurNaming.PidOf(lost.Node, _host)!.Value;
                    Log.CensusLost(_logger, lost.Node, pid);
                    _events.Add(RunEventKind.WorkerLost, lost.Node, pid, "listed by the census, its worker died unseen");
                    Record.Lost(lost);
                    await _context.Hook.RunAsync(lost.Node, pid, 0, null, ExitReason.Lost, cancellationToken);
                }
            }

            result = await CensusOrFailAsync(cancellationToken);
            verdict = Classify(result, []);
            Log.CensusAtStart(_logger, _spec.ScopeName, verdict.Describe());
        }

        var judgements = await StopStraysAsync(verdict, result.At, failOnSurvivors: true, cancellationToken);
        var blocking = judgements.Where(j => !j.MayStop).ToList();
        if (blocking.Count > 0 || verdict.Stale.Count > 0)
            throw new VerificationFailedException(DescribeBlocking(blocking, verdict.Stale));
    }

    /// <summary>
    /// After every worker answered its ping: the census must list exactly <paramref name="ours"/> in scope. Asked
    /// every 250 ms until <paramref name="timeout"/>; a foreign consumer that cannot be stopped fails at once.
    /// </summary>
    public async Task VerifyAsync(IReadOnlyList<RunningWorker> ours, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _context.Time.GetUtcNow() + timeout;
        var workers = ours.Select(w => new OurWorker(w.Node, w.Pid)).ToList();
        var stopped = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var result = await CensusOrFailAsync(cancellationToken);
            var verdict = Classify(result, workers);
            if (verdict.ExactlyOurs)
            {
                Record.Saw(verdict, result.At);
                Log.CensusVerified(_logger, workers.Count, string.Join(", ", workers.Select(w => w.Node)));
                return;
            }

            if (ours.FirstOrDefault(w => w.Exited.IsCompleted) is { } exited)
                throw new VerificationFailedException($"census: {exited.Display} exited ({await exited.Exited}) before the census listed it");

            // A consumer stopped a moment ago may stay listed until the broker notices; only a new one fails at once.
            var judgements = await StopStraysAsync(verdict, result.At, failOnSurvivors: true, cancellationToken);
            foreach (var judgement in judgements.Where(j => j.MayStop))
                stopped.Add(judgement.Entry.Node);
            var blocking = judgements.Where(j => !j.MayStop && !stopped.Contains(j.Entry.Node)).ToList();
            if (blocking.Count > 0)
                throw new VerificationFailedException(DescribeBlocking(blocking, []));
            if (_context.Time.GetUtcNow() >= deadline)
                throw new VerificationFailedException($"census did not list exactly our {workers.Count} node(s) within {timeout.TotalSeconds:F0} s (startTimeoutSeconds): {verdict.Describe()}");
            await Task.Delay(RetryInterval, _context.Time, cancellationToken);
        }
    }

    /// <summary>Starts the periodic census of the supervising run; <paramref name="ours"/> reads the slots' current workers.</summary>
    public void StartWatching(Func<IReadOnlyList<OurWorker>> ours, CancellationToken stopping)
    {
        _watch = new CensusWatch(this, ours, _lastAt, _context.Time, _spec.Interval, _logger);
        _watch.Start(stopping);
    }

    /// <summary>Ends the periodic census and waits for a round in progress (it may be stopping a stray).</summary>
    public Task StopWatchingAsync() => _watch?.StopAsync() ?? Task.CompletedTask;

    /// <summary>One census while supervising: never throws for the census itself, never kills for a failure.</summary>
    internal async Task<(CensusVerdict Verdict, IReadOnlyList<ForeignJudgement> Foreign)?> WatchRoundAsync(IReadOnlyList<OurWorker> ours, DateTimeOffset freshAfter, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(cancellationToken);
        _lastAt = result.At;
        if (!result.Ok)
        {
            Record.Failed(result.Failure!, result.At);
            Log.CensusFailedWhileSupervising(_logger, result.Failure!);
            return null;
        }

        var verdict = CensusClassifier.Classify(result.Entries, ours, _host, _spec.Scope, freshAfter, _judge.BacksAWorker);
        return (verdict, await StopStraysAsync(verdict, result.At, failOnSurvivors: false, cancellationToken));
    }

    private CensusVerdict Classify(CensusResult result, IReadOnlyList<OurWorker> ours) =>
        CensusClassifier.Classify(result.Entries, ours, _host, _spec.Scope, _sweepEnded, _judge.BacksAWorker);

    private async Task<CensusResult> CensusOrFailAsync(CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(cancellationToken);
        _lastAt = result.At;
        if (!result.Ok)
        {
            Record.Failed(result.Failure!, result.At);
            throw new VerificationFailedException("census failed: " + result.Failure);
        }

        return result;
    }

    /// <summary>Judges every foreign consumer, records the census, and stops those that prove to be strays here.</summary>
    private async Task<IReadOnlyList<ForeignJudgement>> StopStraysAsync(CensusVerdict verdict, DateTimeOffset at, bool failOnSurvivors, CancellationToken cancellationToken)
    {
        var judgements = verdict.Foreign.Select(_judge.Judge).ToList();
        Record.Saw(verdict, at, judgements);
        foreach (var judgement in judgements.Where(j => j.MayStop))
        {
            var unit = judgement.Stray!;
            Log.CensusForeignStopping(_logger, judgement.Entry.Describe());
            var result = (await _context.Killer.KillAsync([(unit.Display, unit.Members)], _context.Spec.StopGrace, cancellationToken))[0];
            Log.CensusForeignStopped(_logger, result.ToString());
            _events.Add(RunEventKind.StrayKilled, judgement.Entry.Node, unit.Pid, "a foreign consumer named by the census");
            Record.Stopped(judgement.Entry);
            if (result.Survivors > 0 && failOnSurvivors)
                throw new VerificationFailedException($"could not stop foreign consumer {result}; not starting beside it");
            await _context.Hook.RunAsync(judgement.Entry.Node, unit.Pid ?? judgement.Entry.Pid!.Value, 0, null, ExitReason.StrayKilled, cancellationToken);
        }

        return judgements;
    }

    private string DescribeBlocking(List<ForeignJudgement> blocking, IReadOnlyList<CensusEntry> stale)
    {
        var parts = new List<string>();
        if (blocking.Count > 0)
        {
            parts.Add($"census: {blocking.Count} foreign consumer(s) in scope ({_spec.ScopeName}) beside ours: "
                + string.Join("; ", blocking.Select(j => j.Describe()))
                + ". Stop them and start again" + (_spec.Scope == CensusScope.All ? " (or use census.scope: host to judge only this host)" : ""));
        }

        if (stale.Count > 0)
        {
            var nodes = string.Join(", ", stale.Select(e => e.Describe()));
            parts.Add(_context.Spec.OnWorkerExit is null
                ? $"census: the broker lists dead worker(s) of this host: {nodes}; configure onWorkerExit to remove their registrations (e.g. integrations/rq/lost.py), or remove them by hand"
                : $"census: the broker still lists dead worker(s) of this host after onWorkerExit (reason lost) ran for them: {nodes}; the hook must remove their registrations (integrations/rq/lost.py does)");
        }

        return string.Join(". ", parts);
    }
}
