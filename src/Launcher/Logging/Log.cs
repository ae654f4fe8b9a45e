using Microsoft.Extensions.Logging;

namespace Launcher.Logging;

/// <summary>Every message the launcher logs, with its event id, in one place (message templates, never interpolation).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "{Note}")]
    public static partial void Note(ILogger logger, string note);

    [LoggerMessage(2, LogLevel.Warning, "{Note}")]
    public static partial void Warn(ILogger logger, string note);

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
