using Launcher.Logging;
using Launcher.Supervise;
using Microsoft.Extensions.Logging;

namespace Launcher.Census;

/// <summary>
/// The census while supervising: every <c>census.intervalSeconds</c>, one round (<see cref="RunCensus.WatchRoundAsync"/>).
/// Changes are logged once (a foreign consumer when it appears and when it goes, a stale or missing node when it
/// appears); a failed census is a warning each round, and never a kill. A round that throws is logged and the next one
/// tries again.
/// </summary>
internal sealed class CensusWatch(RunCensus census, Func<IReadOnlyList<OurWorker>> ours, DateTimeOffset lastAt, TimeProvider time, TimeSpan interval, ILogger logger)
{
    private readonly HashSet<string> _foreign = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stale = new(StringComparer.Ordinal);
    private readonly HashSet<string> _missing = new(StringComparer.Ordinal);
    private readonly BackgroundLoop _loop = new();
    private bool _failing;

    public void Start(CancellationToken stopping) => _loop.Start(LoopAsync, stopping);

    public Task StopAsync() => _loop.StopAsync();

    private async Task LoopAsync(CancellationToken token)
    {
        using var timer = new PeriodicTimer(interval, time);
        var freshAfter = lastAt;
        try
        {
            while (await timer.WaitForNextTickAsync(token))
            {
                var startedAt = time.GetUtcNow();
                try
                {
                    var round = await census.WatchRoundAsync(ours(), freshAfter, token);
                    if (round is not { } seen)
                    {
                        _failing = true;
                        continue;
                    }

                    if (_failing)
                        Log.CensusRecovered(logger);
                    _failing = false;
                    freshAfter = startedAt;
                    Report(seen.Verdict, seen.Foreign);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.CensusFailedWhileSupervising(logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Report(CensusVerdict verdict, IReadOnlyList<ForeignJudgement> judgements)
    {
        var foreign = new Dictionary<string, ForeignJudgement>(StringComparer.Ordinal);
        foreach (var judgement in judgements)
            foreign.TryAdd(judgement.Entry.Node, judgement);
        foreach (var (node, judgement) in foreign)
        {
            if (!judgement.MayStop && _foreign.Add(node))
                Log.CensusForeign(logger, judgement.Describe());
        }

        foreach (var gone in _foreign.Where(n => !foreign.ContainsKey(n)).ToList())
        {
            _foreign.Remove(gone);
            Log.CensusForeignGone(logger, gone);
        }

        Changed(_stale, verdict.Stale.Select(e => e.Node), node => Log.CensusStale(logger, verdict.Stale.First(e => e.Node == node).Describe()));
        Changed(_missing, verdict.Missing, node => Log.CensusMissing(logger, node));
        Log.CensusRound(logger, interval.TotalSeconds, verdict.Describe());
    }

    private static void Changed(HashSet<string> seen, IEnumerable<string> now, Action<string> onNew)
    {
        var current = now.ToHashSet(StringComparer.Ordinal);
        foreach (var node in current.Where(seen.Add).ToList())
            onNew(node);
        seen.IntersectWith(current);
    }
}
