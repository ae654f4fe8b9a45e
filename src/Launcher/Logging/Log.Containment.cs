using Microsoft.Extensions.Logging;

namespace Launcher.Logging;

/// <summary>Containment: the cgroup subtree or the fallback layers, leftovers at stop, hooks' and probes' leftovers, the watchdog (350-399).</summary>
internal static partial class Log
{
    [LoggerMessage(350, LogLevel.Information, "Containment: {Containment}")]
    public static partial void ContainmentInForce(ILogger logger, string containment);

    [LoggerMessage(351, LogLevel.Warning, "Removed {Count} cgroup(s) of this instance left by launchers that are gone ({Prefix}*), with {Processes} process(es) still in them")]
    public static partial void StaleCgroupsRemoved(ILogger logger, int count, string prefix, int processes);

    [LoggerMessage(352, LogLevel.Warning, "{Count} process(es) outlived their worker trees ({Where}): {Processes}; SIGTERM, then SIGKILL after the grace period")]
    public static partial void LeftoversFound(ILogger logger, int count, string where, string processes);

    [LoggerMessage(353, LogLevel.Warning, "Leftovers still alive after the grace period: killed by {How}")]
    public static partial void LeftoversKilled(ILogger logger, string how);

    [LoggerMessage(354, LogLevel.Error, "Could not stop {Processes}: still alive after SIGKILL")]
    public static partial void LeftoversSurvived(ILogger logger, string processes);

    [LoggerMessage(355, LogLevel.Warning, "Could not remove cgroup {Path}: a process is still in it")]
    public static partial void CgroupNotRemoved(ILogger logger, string path);

    [LoggerMessage(356, LogLevel.Information, "{Kind} {Command} (pid {Pid}) exited with {ExitCode}; killed {Count} process(es) it left behind")]
    public static partial void CommandLeftoversKilled(ILogger logger, string kind, string command, int pid, int exitCode, int count);

    [LoggerMessage(360, LogLevel.Error, "The watchdog (pid {Pid}) died ({Exit}); workers would outlive a SIGKILLed launcher: restarting it")]
    public static partial void WatchdogDied(ILogger logger, int pid, string exit);

    [LoggerMessage(361, LogLevel.Information, "Watchdog restarted: pid {Pid}")]
    public static partial void WatchdogRestarted(ILogger logger, int pid);

    [LoggerMessage(362, LogLevel.Error, "The watchdog died {Count} times within {Seconds} s; not restarting it again: a SIGKILL of this launcher would leave its workers running")]
    public static partial void WatchdogGaveUp(ILogger logger, int count, double seconds);

    [LoggerMessage(363, LogLevel.Error, "Could not restart the watchdog: {Error}")]
    public static partial void WatchdogRestartFailed(ILogger logger, string error);
}
