using Launcher.Agent.Protocol;
using Launcher.Platform;

namespace Launcher.Spawn;

/// <summary>
/// The environment of a command the launcher runs beside its workers (a ping or census command): the config's
/// variables without the instance's markers, because such a command is not a worker of the instance and must never be
/// found, counted or killed as one.
/// </summary>
internal static class UnmarkedEnvironment
{
    public static Dictionary<string, string?> From(IReadOnlyDictionary<string, string> configured)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in configured)
            environment[name] = value;
        environment[EnvironmentNames.Instance] = null;
        environment[EnvironmentNames.Node] = null;
        environment[EnvironmentNames.Guard] = null;
        environment[ProcessMarkers.RoleVariable] = null;
        return environment;
    }
}
