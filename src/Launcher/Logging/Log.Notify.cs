using Microsoft.Extensions.Logging;

namespace Launcher.Logging;

/// <summary>systemd notification, worker log files that cannot be written, and `run --replace` (ids 700-749).</summary>
internal static partial class Log
{
    [LoggerMessage(700, LogLevel.Information, "systemd watchdog: WATCHDOG=1 every {Seconds} s while the supervision loop runs")]
    public static partial void WatchdogStarted(ILogger logger, double seconds);

    [LoggerMessage(701, LogLevel.Error, "the supervision loop has not turned for {Seconds:F0} s: withholding systemd watchdog pings (after {Sent} sent) so that systemd restarts the service")]
    public static partial void WatchdogWithheld(ILogger logger, double seconds, int sent);

    [LoggerMessage(702, LogLevel.Warning, "the supervision loop turns again: systemd watchdog pings resumed")]
    public static partial void WatchdogResumed(ILogger logger);

    [LoggerMessage(703, LogLevel.Warning, "test hook {Variable}: the supervision loop is frozen while {File} exists")]
    public static partial void SupervisionFrozen(ILogger logger, string variable, string file);

    [LoggerMessage(704, LogLevel.Warning, "worker log {Path} cannot be written: {Error}; the worker runs on, {Lost} line(s) of its output lost since the last report (reported at most once a minute per file)")]
    public static partial void WorkerLogNotWritten(ILogger logger, string path, string error, int lost);
}
