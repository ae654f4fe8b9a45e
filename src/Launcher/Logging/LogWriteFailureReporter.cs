using Serilog.Core;
using Serilog.Events;

namespace Launcher.Logging;

/// <summary>
/// Hears every failed write of one log file, from the file sink (Serilog's failure listener, given to
/// <c>WriteTo.Fallible</c>) or as an exception <see cref="SafeSink"/> caught, and passes it on through
/// <see cref="LogWriteFailureThrottle"/>: once per minute per file, with the number of lines lost. The report is
/// best effort: it may itself need the failing disk, and nothing it throws reaches the writer.
/// </summary>
internal sealed class LogWriteFailureReporter(TimeProvider time, Action<Exception, int>? report) : ILoggingFailureListener
{
    private readonly LogWriteFailureThrottle _throttle = new(time);

    /// <summary>True once a write or flush failed.</summary>
    public bool Failed => _throttle.TotalFailures > 0;

    public void Record(Exception exception)
    {
        if (!_throttle.RecordFailure(out var lost) || report is null)
            return;
        try
        {
            report(exception, lost);
        }
        catch (Exception)
        {
            // Best effort by design.
        }
    }

    void ILoggingFailureListener.OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception) =>
        Record(exception ?? new IOException(message));
}
