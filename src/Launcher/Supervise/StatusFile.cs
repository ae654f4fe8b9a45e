using System.Text.Json.Serialization;
using Launcher.Agent.Storage;

namespace Launcher.Supervise;

/// <summary>What `launcher run` publishes about itself for `launcher status` and `ping` (in the runtime directory).</summary>
/// <param name="Expected">The worker count of the effective spec (1 under --debug); null in files of older launchers.</param>
/// <param name="Events">The recent run events, oldest first (<see cref="RunEvents"/>).</param>
/// <param name="Census">What the census saw last (issue 11); null without <c>census.command</c>.</param>
internal sealed record StatusFile(
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("launcherPid")] int LauncherPid,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("workers")] IReadOnlyList<WorkerStatus> Workers,
    [property: JsonPropertyName("expected")] int? Expected = null,
    [property: JsonPropertyName("events")] IReadOnlyList<RunEvent>? Events = null,
    [property: JsonPropertyName("census")] Census.CensusStatus? Census = null)
{
    public static StatusFile? TryRead(string path) => AtomicJsonFile.TryRead(path, StatusJson.Default.StatusFile);

    public void Write(string path) => AtomicJsonFile.Write(path, this, StatusJson.Default.StatusFile);
}

/// <summary>One worker's line in the status file.</summary>
internal sealed record WorkerStatus(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("startedAt")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("lastPingAt")] DateTimeOffset? LastPingAt,
    [property: JsonPropertyName("logFile")] string LogFile,
    [property: JsonPropertyName("restarts")] int Restarts);

[JsonSerializable(typeof(StatusFile))]
internal sealed partial class StatusJson : JsonSerializerContext;
