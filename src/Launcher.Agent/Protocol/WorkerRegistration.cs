using System.Text.Json.Serialization;

namespace Launcher.Agent.Protocol;

/// <summary>
/// What a worker writes to <c>&lt;runtime&gt;/&lt;instance&gt;/workers/&lt;pid&gt;.json</c> once it answers pings.
/// See docs/PROTOCOL.md. Unknown fields are ignored by readers, so workers may add their own.
/// </summary>
/// <param name="Node">The node name, e.g. <c>api4242@host</c>.</param>
/// <param name="Pid">The worker's own process id.</param>
/// <param name="StartTicks">Field 22 of <c>/proc/&lt;pid&gt;/stat</c>: with the pid, the process identity.</param>
/// <param name="Socket">Absolute path of the Unix domain socket that answers pings.</param>
/// <param name="BootId">Optional <c>/proc/sys/kernel/random/boot_id</c>; a registration from another boot is stale.</param>
/// <param name="LauncherPid">The supervising launcher's pid, or null when started without one.</param>
/// <param name="LauncherStartTicks">The supervising launcher's start ticks, so its pid is never mistaken after reuse.</param>
public sealed record WorkerRegistration(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("startTicks")] ulong StartTicks,
    [property: JsonPropertyName("socket")] string Socket,
    [property: JsonPropertyName("bootId")] string? BootId = null,
    [property: JsonPropertyName("launcherPid")] int? LauncherPid = null,
    [property: JsonPropertyName("launcherStartTicks")] ulong? LauncherStartTicks = null);
