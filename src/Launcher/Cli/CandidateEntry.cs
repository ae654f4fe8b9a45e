using System.Text.Json.Serialization;

namespace Launcher.Cli;

/// <summary>A process only a pattern names: listed so the user can see it, never killed.</summary>
internal sealed record CandidateEntry(
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("treeSize")] int TreeSize,
    [property: JsonPropertyName("executable")] string Executable,
    [property: JsonPropertyName("commandLine")] string CommandLine);
