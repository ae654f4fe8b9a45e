using System.Text.Json;

namespace Launcher.Config.Schema;

/// <summary>
/// One key of launcher.json: its path as users write it (<c>ping.intervalSeconds</c>), the JSON it takes, and its
/// default. <see cref="ConfigSchema"/> lists them all; <see cref="ConfigReader"/> walks the JSON with them.
/// </summary>
internal abstract class ConfigKey(string path)
{
    /// <summary>The key as written in JSON, dots between levels: <c>restart.crashLoopCount</c>.</summary>
    public string Path { get; } = path;

    /// <summary>
    /// Converts a present, non-null <paramref name="value"/> or throws a <see cref="Exceptions.ConfigException"/> naming
    /// <paramref name="at"/> (this key's path, or one of its elements: <c>command[2]</c>).
    /// </summary>
    public abstract object Read(JsonElement value, string at);

    public override string ToString() => Path;
}
