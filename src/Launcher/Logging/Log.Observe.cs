using Microsoft.Extensions.Logging;

namespace Launcher.Logging;

/// <summary>The metrics and status page listener (event ids 950-999).</summary>
internal static partial class Log
{
    [LoggerMessage(950, LogLevel.Information, "Metrics at http://{Address}/metrics, status page at http://{Address}/")]
    public static partial void ObserveListening(ILogger logger, string address);

    [LoggerMessage(951, LogLevel.Warning, "metrics.listen {Address} is not a loopback address: anyone who can reach it can read the metrics and the status page (no authentication)")]
    public static partial void ObserveNotLoopback(ILogger logger, string address);

    [LoggerMessage(952, LogLevel.Warning, "The status page could not answer {Path}: {Problem}")]
    public static partial void ObserveRequestFailed(ILogger logger, string path, string problem);
}
