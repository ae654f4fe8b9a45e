using Microsoft.Extensions.Logging;

namespace Launcher.Logging;

/// <summary>
/// Every message the launcher logs is a <c>[LoggerMessage]</c> method of this partial class, with its event id and
/// structured arguments (never interpolation). This file holds the exit hook's and the catch-all error's; each area
/// has its own file and id range: Supervise 100-199 (Log.Supervise.cs), Strays+Kill 200-299, containment 350-399,
/// Guard 400-449, Lease 450-499, census 550-599 (Log.Census.cs), logs/hooks/bounds 800-899.
/// </summary>
internal static partial class Log
{
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
