using System.Text.Json.Serialization;

namespace Launcher.Control;

/// <summary>`launcher status --json` as printed: indented.</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(StatusReport))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
