namespace Launcher.Census;

/// <summary>What a census printed, read: the nodes, or why the output is not a census (then <see cref="Entries"/> is empty).</summary>
internal sealed record CensusParse(IReadOnlyList<CensusEntry> Entries, string? Problem)
{
    public bool Ok => Problem is null;

    public static CensusParse Failed(string problem) => new([], problem);
}
