namespace Launcher.Census;

/// <summary>
/// The census rules as a pure function (docs/ARCHITECTURE.md, "Queue truth"). A node is in scope when
/// <c>census.scope</c> is <c>all</c>, or its host is this host (compared without case, as DNS does). In scope:
/// <list type="bullet">
/// <item>ours: its node name is one of our workers' (and its pid, when the census gives one, that worker's pid);</item>
/// <item>stale: a dead worker of a launcher on this host that nobody reported: named <c>api&lt;pid&gt;@&lt;this host&gt;</c>,
/// that pid is no worker of ours, no live process here that runs the configured program or carries the instance marker
/// has it, and the broker has not heard from it since <c>freshAfter</c> (a fresher heartbeat means something alive
/// uses the name: a duplicate in another container with the same host name, never cleaned as ours);</item>
/// <item>foreign: everything else.</item>
/// </list>
/// </summary>
internal static class CensusClassifier
{
    public static CensusVerdict Classify(
        IReadOnlyList<CensusEntry> entries,
        IReadOnlyList<OurWorker> ours,
        string host,
        CensusScope scope,
        DateTimeOffset? freshAfter,
        Func<int, bool> backedHere)
    {
        var byNode = ours.ToDictionary(w => w.Node, StringComparer.Ordinal);
        var ourPids = ours.Select(w => w.Pid).ToHashSet();
        var listed = new List<CensusEntry>();
        var stale = new List<CensusEntry>();
        var foreign = new List<CensusEntry>();
        var outOfScope = 0;
        foreach (var entry in entries)
        {
            if (!InScope(entry, host, scope))
            {
                outOfScope++;
                continue;
            }

            if (byNode.TryGetValue(entry.Node, out var worker) && (entry.Pid is null || entry.Pid == worker.Pid))
                listed.Add(entry);
            else if (IsStale(entry, host, ourPids, freshAfter, backedHere))
                stale.Add(entry);
            else
                foreign.Add(entry);
        }

        var missing = ours.Where(w => !listed.Any(e => e.Node == w.Node)).Select(w => w.Node).ToList();
        return new CensusVerdict(listed, missing, stale, foreign, outOfScope);
    }

    public static bool InScope(CensusEntry entry, string host, CensusScope scope) =>
        scope == CensusScope.All || IsThisHost(entry, host);

    public static bool IsThisHost(CensusEntry entry, string host) =>
        string.Equals(entry.EffectiveHost, host, StringComparison.OrdinalIgnoreCase);

    private static bool IsStale(CensusEntry entry, string host, HashSet<int> ourPids, DateTimeOffset? freshAfter, Func<int, bool> backedHere)
    {
        if (!IsThisHost(entry, host) || OurNaming.PidOf(entry.Node, host) is not { } pid)
            return false;
        if (ourPids.Contains(pid) || (entry.Pid is { } known && known != pid && ourPids.Contains(known)))
            return false;
        if (entry.Heartbeat is { } heartbeat && freshAfter is { } after && heartbeat > after)
            return false;
        return !backedHere(pid) && (entry.Pid is not { } other || other == pid || !backedHere(other));
    }
}
