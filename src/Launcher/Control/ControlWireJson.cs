using System.Text.Json.Serialization;

namespace Launcher.Control;

/// <summary>
/// The control socket's replies: one line each (the worker protocol's framing, docs/PROTOCOL.md), so not indented.
/// The client turns them back into the records and prints them exactly as discovery would.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(PingReport))]
[JsonSerializable(typeof(ControlReply))]
internal sealed partial class ControlWireJson : JsonSerializerContext;
