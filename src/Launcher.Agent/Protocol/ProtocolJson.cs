using System.Text.Json.Serialization;

namespace Launcher.Agent.Protocol;

/// <summary>Source-generated JSON for the protocol records, so readers and writers stay trim- and AOT-safe.</summary>
[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WorkerRegistration))]
[JsonSerializable(typeof(PingReply))]
internal sealed partial class ProtocolJson : JsonSerializerContext;
