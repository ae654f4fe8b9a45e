using System.Globalization;
using CliWrap;
using Launcher.Agent.Protocol;
using Launcher.Config;
using Launcher.Logging;
using Launcher.Platform;
using Launcher.Spawn;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// Runs <c>onWorkerExit</c> after any worker ends, so a queue learns at once that a worker died mid-job.
/// The command gets the worker's node, pid, exit code or signal and the reason in its environment, runs
/// under its own timeout, and its output goes to the launcher log. A failing hook never stops supervision.
/// Like the workers it runs in the config's <c>workingDirectory</c> with its <c>environment</c> (a queue's URL).
/// </summary>
internal sealed class ExitHook(LauncherSpec launcherSpec, ContainedCommand runner, ILogger logger)
{
    private readonly HookSpec? spec = launcherSpec.OnWorkerExit;
    private readonly string instance = launcherSpec.Instance;

    public async Task RunAsync(string node, int pid, int index, WorkerExit? exit, string reason, CancellationToken cancellationToken)
    {
        if (spec is null)
            return;

        var values = PlaceholderValues.For(launcherSpec, index, node, pid);
        var argv = spec.Command.Expand(values);
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in launcherSpec.Environment)
            environment[name] = value;
        environment[EnvironmentNames.Instance] = instance;
        environment[EnvironmentNames.Node] = node;
        environment[ProcessMarkers.RoleVariable] = "hook";
        environment["LAUNCHER_WORKER_PID"] = values["pid"];
        environment["LAUNCHER_WORKER_INDEX"] = values["index"];
        environment["LAUNCHER_EXIT_CODE"] = exit?.Signal is null ? exit?.ExitCode.ToString(CultureInfo.InvariantCulture) ?? "" : "";
        environment["LAUNCHER_EXIT_SIGNAL"] = exit?.Signal?.ToString(CultureInfo.InvariantCulture) ?? "";
        environment["LAUNCHER_EXIT_REASON"] = reason;

        // Lines cut at 64 KiB, at most 64 KiB logged, the rest read and discarded (the hook never blocks on its pipe).
        var output = new BoundedLineTarget(
            OutputBounds.MaxCapturedChars,
            line => Log.HookOutput(logger, node, line),
            () => Log.HookOutputDiscarded(logger, node, OutputBounds.MaxCapturedChars));
        // Judged by its own exit, in a process group (and cgroup) of its own: what it leaves behind is killed.
        try
        {
            var result = await runner.RunHookAsync(argv, launcherSpec.WorkingDirectory, environment, output, spec.Timeout, cancellationToken);
            if (result.ExitCode is { } exitCode)
                Log.HookFinished(logger, node, reason, exitCode);
            else
                Log.HookTimedOut(logger, node, spec.Timeout.TotalSeconds);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Log.HookFailed(logger, node, ex.Message);
        }
    }
}
