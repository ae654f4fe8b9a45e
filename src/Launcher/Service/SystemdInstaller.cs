namespace Launcher.Service;

/// <summary>
/// Writes a unit file where systemd reads it (systemd.unit(5), "Unit File Load Path"): /etc/systemd/system for the
/// system manager, $XDG_CONFIG_HOME/systemd/user (~/.config/systemd/user) for a user's. Never replaces a different
/// file unless forced; the write is atomic (temporary file, then rename), so systemd never reads half a unit.
/// </summary>
internal static class SystemdInstaller
{
    /// <summary>Where the unit goes when no directory is given.</summary>
    public static string DefaultUnitDirectory(bool user)
    {
        if (!user)
            return "/etc/systemd/system";

        var configHome = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        if (string.IsNullOrWhiteSpace(configHome) || !Path.IsPathFullyQualified(configHome))
            configHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(configHome, "systemd", "user");
    }

    /// <summary>
    /// Writes <paramref name="unit"/> as <paramref name="path"/>. <see cref="InstallOutcome.Different"/> (nothing
    /// written) when another file is there and <paramref name="force"/> is false.
    /// </summary>
    public static InstallOutcome Install(string path, string unit, bool force)
    {
        if (File.Exists(path))
        {
            if (File.ReadAllText(path) == unit)
                return InstallOutcome.Unchanged;
            if (!force)
                return InstallOutcome.Different;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, unit);
        File.Move(temporary, path, overwrite: true);
        return InstallOutcome.Written;
    }
}
