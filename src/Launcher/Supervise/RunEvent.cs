using System.Text.Json.Serialization;

namespace Launcher.Supervise;

/// <summary>One fact of the run, as published in the status file's <c>events</c> (kinds: <see cref="RunEventKind"/>).</summary>
internal sealed record RunEvent(
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("node")] string? Node,
    [property: JsonPropertyName("pid")] int? Pid,
    [property: JsonPropertyName("detail")] string? Detail);
