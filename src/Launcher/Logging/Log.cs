using Microsoft.Extensions.Logging;

namespace Launcher.Logging;

/// <summary>Every message the launcher logs, with its event id, in one place (message templates, never interpolation).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "{Note}")]
    public static partial void Note(ILogger logger, string note);

    [LoggerMessage(2, LogLevel.Warning, "{Note}")]
    public static partial void Warn(ILogger logger, string note);

    [LoggerMessage(10, LogLevel.Information, "Removed stale registration {Worker}: {Reason}")]
    public static partial void StaleRegistrationRemoved(ILogger logger, string worker, string reason);

    [LoggerMessage(11, LogLevel.Warning, "Found {Count} stray worker(s): {Workers}; killing their trees")]
    public static partial void StraysFound(ILogger logger, int count, string workers);

    [LoggerMessage(12, LogLevel.Warning, "Killed stray {Result}")]
    public static partial void StrayKilled(ILogger logger, string result);

    [LoggerMessage(20, LogLevel.Information, "Started worker {Node} (pid {Pid}), log {LogFile}")]
    public static partial void WorkerStarted(ILogger logger, string node, int pid, string logFile);

    [LoggerMessage(30, LogLevel.Information, LauncherLogging.ReadyTemplate)]
    public static partial void Ready(ILogger logger, string readyLine);

    [LoggerMessage(40, LogLevel.Warning, "Worker {Worker} ended: {Exit} ({Reason})")]
    public static partial void WorkerExited(ILogger logger, string worker, string exit, string reason);

    [LoggerMessage(41, LogLevel.Warning, "Worker {Worker} missed {MissedLimit} pings in a row: hung; killing its tree")]
    public static partial void WorkerHung(ILogger logger, string worker, int missedLimit);

    [LoggerMessage(42, LogLevel.Information, "Worker {Worker} missed ping {Missed}/{MissedLimit}: {Problem}")]
    public static partial void PingMissed(ILogger logger, string worker, int missed, int missedLimit, string problem);

    [LoggerMessage(43, LogLevel.Information, "Restarting worker #{Index} in {DelaySeconds:F1} s")]
    public static partial void RestartScheduled(ILogger logger, int index, double delaySeconds);

    [LoggerMessage(44, LogLevel.Warning, "Replacement {Worker} did not answer within {Seconds} s")]
    public static partial void ReplacementSilent(ILogger logger, string worker, double seconds);

    [LoggerMessage(45, LogLevel.Information, "Worker {Worker} is not restarted (--debug or restart:enabled false)")]
    public static partial void NoRestart(ILogger logger, string worker);

    [LoggerMessage(46, LogLevel.Information, "Stopped {Result}")]
    public static partial void TreeEnded(ILogger logger, string result);

    [LoggerMessage(47, LogLevel.Information, "SIGHUP: rolling restart of {Count} worker(s), one at a time")]
    public static partial void RollingRestart(ILogger logger, int count);

    [LoggerMessage(50, LogLevel.Information, "Stopping {Count} worker(s)")]
    public static partial void Stopping(ILogger logger, int count);

    [LoggerMessage(60, LogLevel.Information, "onWorkerExit [{Node}] {Line}")]
    public static partial void HookOutput(ILogger logger, string node, string line);

    [LoggerMessage(61, LogLevel.Information, "onWorkerExit for {Node} ({Reason}) finished with exit code {ExitCode}")]
    public static partial void HookFinished(ILogger logger, string node, string reason, int exitCode);

    [LoggerMessage(62, LogLevel.Warning, "onWorkerExit for {Node} did not finish within {Seconds} s and was killed")]
    public static partial void HookTimedOut(ILogger logger, string node, double seconds);

    [LoggerMessage(63, LogLevel.Warning, "onWorkerExit for {Node} could not run: {Error}")]
    public static partial void HookFailed(ILogger logger, string node, string error);

    [LoggerMessage(90, LogLevel.Error, "Unexpected error")]
    public static partial void Unexpected(ILogger logger, Exception exception);
}
