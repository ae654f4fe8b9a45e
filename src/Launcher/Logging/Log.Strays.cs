using Microsoft.Extensions.Logging;

namespace Launcher.Logging;

/// <summary>Strays and kills: event ids 200-299.</summary>
internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Information, "Removed stale registration {Worker}: {Reason}")]
    public static partial void StaleRegistrationRemoved(ILogger logger, string worker, string reason);

    [LoggerMessage(201, LogLevel.Warning, "Found {Count} stray worker(s): {Workers}; killing their trees")]
    public static partial void StraysFound(ILogger logger, int count, string workers);

    [LoggerMessage(202, LogLevel.Warning, "Killed stray {Result}")]
    public static partial void StrayKilled(ILogger logger, string result);

    [LoggerMessage(203, LogLevel.Warning, "Left alone {Count} process(es) that only strays.match names, not running {Program}: {Processes}")]
    public static partial void UnconfirmedStraysLeft(ILogger logger, int count, string program, string processes);
}
