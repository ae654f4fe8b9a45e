using System.Text.Json.Serialization;

namespace Launcher.Agent.Protocol;

/// <summary>A worker's one-line answer to <c>ping</c>: who it is.</summary>
/// <param name="Node">The node name the worker was given.</param>
/// <param name="Pid">The worker's own process id.</param>
public sealed record PingReply(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("pid")] int Pid);
