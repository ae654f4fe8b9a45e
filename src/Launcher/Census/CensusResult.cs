namespace Launcher.Census;

/// <summary>One run of the census command: the nodes it listed, or why it failed (then <see cref="Entries"/> is empty).</summary>
internal sealed record CensusResult(IReadOnlyList<CensusEntry> Entries, string? Failure, DateTimeOffset At)
{
    public bool Ok => Failure is null;
}
