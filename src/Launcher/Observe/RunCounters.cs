using System.Collections.Frozen;

namespace Launcher.Observe;

/// <summary>
/// Totals of the run that the recent events' ring forgets: restarts and worker ends by reason, events by kind.
/// Incremented from the slots' loops (a short lock, never held across anything else); read only by the status
/// publisher, which copies them into the immutable <see cref="RunSnapshot"/> that scrapes read.
/// </summary>
internal sealed class RunCounters
{
    private readonly Dictionary<string, long> _restarts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _ends = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _events = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>A replacement was spawned for a worker that ended for <paramref name="reason"/> (an <c>ExitReason</c>).</summary>
    public void Restarted(string reason) => Increment(_restarts, reason);

    /// <summary>A worker ended for <paramref name="reason"/> (an <c>ExitReason</c>).</summary>
    public void Ended(string reason) => Increment(_ends, reason);

    /// <summary>A run event of <paramref name="kind"/> (a <c>RunEventKind</c>) was recorded.</summary>
    public void Recorded(string kind) => Increment(_events, kind);

    public CounterSnapshot Snapshot()
    {
        lock (_gate)
            return new CounterSnapshot(_restarts.ToFrozenDictionary(StringComparer.Ordinal), _ends.ToFrozenDictionary(StringComparer.Ordinal), _events.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private void Increment(Dictionary<string, long> counts, string key)
    {
        lock (_gate)
            counts[key] = counts.GetValueOrDefault(key) + 1;
    }
}
