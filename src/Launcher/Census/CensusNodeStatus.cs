using System.Text.Json.Serialization;

namespace Launcher.Census;

/// <summary>One node as the census named it, in the status file and `launcher status --json`.</summary>
internal sealed record CensusNodeStatus(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("pid")] int? Pid,
    [property: JsonPropertyName("host")] string? Host,
    [property: JsonPropertyName("heartbeat")] DateTimeOffset? Heartbeat,
    [property: JsonPropertyName("why")] string? Why = null)
{
    public static CensusNodeStatus Of(CensusEntry entry, string? why = null) => new(entry.Node, entry.Pid, entry.EffectiveHost, entry.Heartbeat, why);

    public override string ToString() =>
        $"{Node}{(Pid is { } pid ? $" pid {pid}" : "")}{(Host is null ? "" : $" host {Host}")}{(Why is null ? "" : $" ({Why})")}";
}
