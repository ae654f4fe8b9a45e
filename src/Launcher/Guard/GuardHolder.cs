using System.Text.Json.Serialization;
using Launcher.Agent.Storage;

namespace Launcher.Guard;

/// <summary>Who holds an instance's lock, written beside the lock file so a second launcher can name it.</summary>
internal sealed record GuardHolder(
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("startTicks")] ulong StartTicks,
    [property: JsonPropertyName("startedAt")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("commandLine")] string CommandLine,
    [property: JsonPropertyName("configFile")] string ConfigFile)
{
    public static GuardHolder? TryRead(string path) => AtomicJsonFile.TryRead(path, GuardJson.Default.GuardHolder);

    public void Write(string path) => AtomicJsonFile.Write(path, this, GuardJson.Default.GuardHolder);
}

[JsonSerializable(typeof(GuardHolder))]
internal sealed partial class GuardJson : JsonSerializerContext;
