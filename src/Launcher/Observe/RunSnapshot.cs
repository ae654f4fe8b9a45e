namespace Launcher.Observe;

/// <summary>
/// What a scrape of /metrics reads: an immutable copy of the run, taken by the supervisor's status publisher
/// (<see cref="RunBoard"/>) whenever it writes the status file. A scrape never reaches into the live slots.
/// </summary>
/// <param name="State">starting, running or stopping (the status file's state).</param>
internal sealed record RunSnapshot(string State, IReadOnlyList<SlotSnapshot> Slots, CounterSnapshot Counters, DateTimeOffset TakenAt)
{
    public static RunSnapshot Starting { get; } = new("starting", [], CounterSnapshot.Empty, DateTimeOffset.UnixEpoch);
}
