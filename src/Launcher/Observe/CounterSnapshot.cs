namespace Launcher.Observe;

/// <summary>A frozen copy of <see cref="RunCounters"/>.</summary>
internal sealed record CounterSnapshot(
    IReadOnlyDictionary<string, long> RestartsByReason,
    IReadOnlyDictionary<string, long> EndsByReason,
    IReadOnlyDictionary<string, long> EventsByKind)
{
    public static CounterSnapshot Empty { get; } = new RunCounters().Snapshot();

    public long Events(string kind) => EventsByKind.GetValueOrDefault(kind);
}
