using Launcher.Supervise;
using Microsoft.Extensions.Logging;

namespace Launcher.Logging;

/// <summary>The run's phases, its worker slots and the ready line (event ids 100-199).</summary>
internal static partial class Log
{
    /// <summary>The event id of <see cref="Ready"/>: the console sink leaves this one out (it is printed on stdout).</summary>
    public const int ReadyEventId = 130;

    [LoggerMessage(100, LogLevel.Information, "launcher pid {LauncherPid}: instance '{Instance}', {Workers} worker(s) of `{Command}` ({Source})")]
    public static partial void LauncherStarting(ILogger logger, int launcherPid, string instance, int workers, string command, string source);


    [LoggerMessage(102, LogLevel.Debug, "Run phase {From} -> {To}")]
    public static partial void RunPhaseChanged(ILogger logger, RunPhase from, RunPhase to);

    [LoggerMessage(103, LogLevel.Debug, "Worker slot #{Index}: {From} -> {To} ({Why})")]
    public static partial void SlotStateChanged(ILogger logger, int index, SlotState from, SlotState to, string why);

    [LoggerMessage(104, LogLevel.Information, "SIGHUP while stopping: ignored")]
    public static partial void HangupWhileStopping(ILogger logger);

    [LoggerMessage(105, LogLevel.Information, "SIGHUP during start-up: the workers are starting fresh; no rolling restart")]
    public static partial void HangupDuringStartUp(ILogger logger);

    [LoggerMessage(110, LogLevel.Information, "Started worker {Node} (pid {Pid}), log {LogFile}")]
    public static partial void WorkerStarted(ILogger logger, string node, int pid, string logFile);

    [LoggerMessage(130, LogLevel.Information, "{ReadyLine}")]
    public static partial void Ready(ILogger logger, string readyLine);

    [LoggerMessage(140, LogLevel.Warning, "Worker {Worker} ended: {Exit} ({Reason})")]
    public static partial void WorkerExited(ILogger logger, string worker, string exit, string reason);

    [LoggerMessage(141, LogLevel.Warning, "Worker {Worker} missed {MissedLimit} pings in a row: hung; killing its tree")]
    public static partial void WorkerHung(ILogger logger, string worker, int missedLimit);

    [LoggerMessage(142, LogLevel.Information, "Worker {Worker} missed ping {Missed}/{MissedLimit}: {Problem}")]
    public static partial void PingMissed(ILogger logger, string worker, int missed, int missedLimit, string problem);

    [LoggerMessage(143, LogLevel.Information, "Restarting worker #{Index} in {DelaySeconds:F1} s")]
    public static partial void RestartScheduled(ILogger logger, int index, double delaySeconds);

    [LoggerMessage(144, LogLevel.Warning, "Replacement {Worker} did not answer within {Seconds} s")]
    public static partial void ReplacementSilent(ILogger logger, string worker, double seconds);

    [LoggerMessage(145, LogLevel.Information, "Worker {Worker} is not restarted ({Why})")]
    public static partial void NoRestart(ILogger logger, string worker, string why);

    [LoggerMessage(146, LogLevel.Warning, "worker slot #{Index}: could not start a replacement: {Error}")]
    public static partial void ReplacementNotStarted(ILogger logger, int index, string error);

    [LoggerMessage(147, LogLevel.Warning, "worker {Worker} is still alive {Seconds:F0} s after SIGKILL; leaving it")]
    public static partial void AliveAfterKill(ILogger logger, string worker, double seconds);

    [LoggerMessage(150, LogLevel.Information, "Stopped {Result}")]
    public static partial void TreeEnded(ILogger logger, string result);

    [LoggerMessage(151, LogLevel.Information, "SIGHUP: rolling restart of {Count} worker(s), one at a time")]
    public static partial void RollingRestart(ILogger logger, int count);

    [LoggerMessage(152, LogLevel.Warning, "rolling restart stopped: the replacement in worker slot #{Index} did not start and answer; the other workers were left as they were")]
    public static partial void RollingRestartHalted(ILogger logger, int index);

    [LoggerMessage(160, LogLevel.Information, "Stopping {Count} worker(s)")]
    public static partial void Stopping(ILogger logger, int count);

    [LoggerMessage(170, LogLevel.Warning, "housekeeping: {Error}")]
    public static partial void HousekeepingFailed(ILogger logger, string error);

    [LoggerMessage(171, LogLevel.Warning, "could not write {StatusFile}: {Error}")]
    public static partial void StatusNotWritten(ILogger logger, string statusFile, string error);
}
