using System.Globalization;
using Launcher.Agent.Protocol;

namespace Launcher.Config;

/// <summary>The values of <see cref="CommandTemplate"/> placeholders, built the same way for workers, pings and hooks.</summary>
internal static class PlaceholderValues
{
    /// <summary>The directory of the launcher binary, for <c>{launcherDir}</c>.</summary>
    public static readonly string LauncherDir = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);

    /// <summary>
    /// Values known in the launcher. Without <paramref name="node"/> and <paramref name="pid"/> (a worker about to
    /// start), <c>{node}</c> and <c>{pid}</c> stay in place for the exec shim to fill in inside the worker.
    /// </summary>
    public static Dictionary<string, string> For(LauncherSpec spec, int index, string? node = null, int? pid = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = SelfIdentity.HostName,
            ["instance"] = spec.Instance,
            ["index"] = index.ToString(CultureInfo.InvariantCulture),
            ["configDir"] = spec.BaseDirectory,
            ["launcherDir"] = LauncherDir,
        };
        if (node is not null)
            values["node"] = node;
        if (pid is { } known)
            values["pid"] = known.ToString(CultureInfo.InvariantCulture);
        return values;
    }
}
