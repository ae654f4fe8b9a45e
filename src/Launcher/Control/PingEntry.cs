using System.Text.Json.Serialization;

namespace Launcher.Control;

/// <summary>One worker's line in `launcher ping`.</summary>
/// <param name="FoundBy">How it was found: the discovery sources, or <c>launcher</c> for a worker the running launcher supervises.</param>
internal sealed record PingEntry(
    [property: JsonPropertyName("node")] string? Node,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("answered")] bool Answered,
    [property: JsonPropertyName("problem")] string? Problem,
    [property: JsonPropertyName("foundBy")] string FoundBy);
