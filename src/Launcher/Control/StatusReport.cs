using System.Text.Json.Serialization;
using Launcher.Guard.Lease;
using Launcher.Supervise;

namespace Launcher.Control;

/// <summary>
/// The document `launcher status --json` prints (and the status page's /status.json): built by
/// <see cref="StatusDocument"/> from the running launcher's memory, or by `StatusCommand` from discovery when none runs.
/// </summary>
/// <param name="Source">Who answered: <c>launcher</c> (the running launcher, over its control socket) or
/// <c>discovery</c> (the command itself, from the runtime directory and the process table).</param>
internal sealed record StatusReport(
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("launcher")] HolderEntry? Launcher,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("workers")] IReadOnlyList<StatusEntry> Workers,
    [property: JsonPropertyName("expected")] int Expected,
    [property: JsonPropertyName("events")] IReadOnlyList<RunEvent> Events,
    [property: JsonPropertyName("coordination")] LeaseSnapshot? Coordination = null,
    [property: JsonPropertyName("source")] string Source = StatusReport.FromDiscovery)
{
    public const string FromLauncher = "launcher";
    public const string FromDiscovery = "discovery";

    /// <summary>What the running launcher's census saw last (issue 11); absent without <c>census.command</c>.</summary>
    [JsonPropertyName("census")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Census.CensusStatus? Census { get; init; }
}
