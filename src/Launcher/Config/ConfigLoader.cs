using Launcher.Config.Schema;

namespace Launcher.Config;

/// <summary>
/// Reads launcher.json (or the embedded default) and validates it once into a <see cref="LauncherSpec"/>:
/// <see cref="ConfigFile"/> reads, <see cref="ConfigReader"/> type-checks against <see cref="ConfigSchema"/>,
/// <see cref="ConfigValidator"/> builds the spec. Every failure is a <see cref="Exceptions.ConfigException"/> naming
/// the key; nothing is created, started or killed here.
/// </summary>
internal static class ConfigLoader
{
    /// <summary>Loads <paramref name="explicitPath"/>, else ./launcher.json, else the embedded default.</summary>
    public static LauncherSpec Load(string? explicitPath) => Load(explicitPath, checkFileSystem: true);

    /// <summary>
    /// The light load for read-only commands (status, ping, stop, strays, doctor): parse, schema, instance and
    /// timing keys, but no checks that the worker program, workingDirectory or logDir exist. A running launcher
    /// must stay reachable after a clean rebuild removed its worker binary.
    /// </summary>
    public static LauncherSpec LoadForReading(string? explicitPath) => Load(explicitPath, checkFileSystem: false);

    private static LauncherSpec Load(string? explicitPath, bool checkFileSystem)
    {
        var source = ConfigFile.Read(explicitPath);
        var values = ConfigReader.Read(source.Json, source.Name);
        return ConfigValidator.Validate(values, source.BaseDirectory, source.Description, HostFileSystem.Instance, checkFileSystem);
    }
}
