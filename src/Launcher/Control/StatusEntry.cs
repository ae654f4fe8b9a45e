using System.Text.Json.Serialization;

namespace Launcher.Control;

/// <summary>One worker's row in `launcher status`.</summary>
internal sealed record StatusEntry(
    [property: JsonPropertyName("node")] string? Node,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("uptimeSeconds")] long? UptimeSeconds,
    [property: JsonPropertyName("lastPingAt")] DateTimeOffset? LastPingAt,
    [property: JsonPropertyName("logFile")] string? LogFile,
    [property: JsonPropertyName("restarts")] int Restarts,
    [property: JsonPropertyName("state")] string State);
