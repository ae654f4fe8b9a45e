using Microsoft.Extensions.Logging;

namespace Launcher.Logging;

/// <summary>The control socket (`status`, `ping`, `stop` from other terminals): event ids 500-549.</summary>
internal static partial class Log
{
    [LoggerMessage(500, LogLevel.Debug, "Control socket listening on {Path}")]
    public static partial void ControlListening(ILogger logger, string path);

    [LoggerMessage(501, LogLevel.Warning, "No control socket at {Path} ({Error}); status, ping and stop fall back to discovery")]
    public static partial void ControlUnavailable(ILogger logger, string path, string error);

    [LoggerMessage(502, LogLevel.Warning, "Control socket refused pid {Pid} of uid {UserId}: only uid {Ours} may ask")]
    public static partial void ControlRefused(ILogger logger, int pid, int userId, int ours);

    [LoggerMessage(503, LogLevel.Debug, "Control socket: {Command} from pid {Pid}")]
    public static partial void ControlRequest(ILogger logger, string command, int pid);

    [LoggerMessage(504, LogLevel.Information, "Stop requested over the control socket by pid {Pid}")]
    public static partial void ControlStopRequested(ILogger logger, int pid);
}
