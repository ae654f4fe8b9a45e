using System.Text.Json.Serialization;
using Launcher.Agent.Storage;

namespace Launcher.Supervise;

/// <summary>What `launcher run` publishes about itself for `launcher status` (in the runtime directory).</summary>
internal sealed record StatusFile(
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("launcherPid")] int LauncherPid,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("workers")] IReadOnlyList<WorkerStatus> Workers)
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
