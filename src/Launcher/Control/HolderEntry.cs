using System.Text.Json.Serialization;

namespace Launcher.Control;

/// <summary>The launcher holding the instance, as `launcher status` shows it.</summary>
internal sealed record HolderEntry(
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("startedAt")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("commandLine")] string CommandLine);
