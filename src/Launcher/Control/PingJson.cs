using System.Text.Json.Serialization;

namespace Launcher.Control;

/// <summary>`launcher ping --json` as printed: indented.</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(PingReport))]
internal sealed partial class PingJson : JsonSerializerContext;
