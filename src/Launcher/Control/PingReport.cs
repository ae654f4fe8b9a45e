using System.Text.Json.Serialization;

namespace Launcher.Control;

/// <summary>What `launcher ping --json` prints.</summary>
/// <param name="Source">Who pinged: <c>launcher</c> (the running launcher, over its control socket) or <c>discovery</c>.</param>
internal sealed record PingReport(
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("expected")] int Expected,
    [property: JsonPropertyName("answered")] int Answered,
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("workers")] IReadOnlyList<PingEntry> Workers,
    [property: JsonPropertyName("source")] string Source = StatusReport.FromDiscovery);
