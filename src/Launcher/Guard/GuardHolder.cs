using System.Text.Json;
using System.Text.Json.Serialization;

namespace Launcher.Guard;

/// <summary>Who holds an instance's lock, written beside the lock file so a second launcher can name it.</summary>
internal sealed record GuardHolder(
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("startTicks")] ulong StartTicks,
    [property: JsonPropertyName("startedAt")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("commandLine")] string CommandLine,
    [property: JsonPropertyName("configFile")] string ConfigFile)
{
    public static GuardHolder? TryRead(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), GuardJson.Default.GuardHolder);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Write(string path)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, GuardJson.Default.GuardHolder));
        File.Move(temporary, path, overwrite: true);
    }

    public string Describe() => $"pid {Pid}, started {StartedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}, command line: {CommandLine}";
}

[JsonSerializable(typeof(GuardHolder))]
internal sealed partial class GuardJson : JsonSerializerContext;
