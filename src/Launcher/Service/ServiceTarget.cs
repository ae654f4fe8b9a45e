using Launcher.Agent.Protocol;
using Launcher.Config;

namespace Launcher.Service;

/// <summary>
/// What a service manager needs to run <c>launcher run</c> for one config: the executable, its arguments, where it
/// runs and logs, and the runtime directory the CLI uses (so <c>launcher status</c> from a shell finds the service).
/// </summary>
internal sealed record ServiceTarget(
    string Instance,
    string LauncherPath,
    string? ConfigPath,
    string WorkingDirectory,
    string LogDir,
    string? RuntimeDir,
    TimeSpan StopGrace)
{
    /// <summary>
    /// The target for <paramref name="spec"/>. <see cref="ConfigPath"/> is null for the embedded sample config
    /// (the service then runs without <c>--config</c>, in the same directory); <see cref="RuntimeDir"/> is set only
    /// when <c>LAUNCHER_RUNTIME_DIR</c> is.
    /// </summary>
    public static ServiceTarget For(LauncherSpec spec, string launcherPath)
    {
        var config = Path.IsPathFullyQualified(spec.SourceDescription) ? spec.SourceDescription : null;
        var runtimeDir = string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentNames.RuntimeDir))
            ? null
            : RuntimePaths.DefaultRoot();
        return new ServiceTarget(spec.Instance, launcherPath, config, spec.BaseDirectory, spec.LogDir, runtimeDir, spec.StopGrace);
    }

    /// <summary>The service's name: <c>launcher-&lt;instance&gt;</c> (instance names are valid in unit and service names).</summary>
    public string ServiceName => "launcher-" + Instance;

    /// <summary>One line for the service manager's lists.</summary>
    public string Description => "launcher: workers of instance " + Instance;

    /// <summary>The arguments after the executable: <c>run</c>, and <c>--config PATH</c> when the config is a file.</summary>
    public IReadOnlyList<string> RunArguments => ConfigPath is null ? ["run"] : ["run", "--config", ConfigPath];

    /// <summary>
    /// How long the service manager waits after SIGTERM before SIGKILL: the stop grace the launcher gives its
    /// workers, plus room for the launcher's own stop.
    /// </summary>
    public int StopTimeoutSeconds => (int)Math.Ceiling(StopGrace.TotalSeconds) + 30;
}
