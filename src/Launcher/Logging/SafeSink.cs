using Serilog.Core;
using Serilog.Events;

namespace Launcher.Logging;

/// <summary>
/// Wraps a sink (a file logger) so that nothing it throws reaches the launcher or a worker's output pump, neither from
/// writing nor from its final flush on dispose: a full or vanished log directory (ENOSPC, EIO, EACCES) loses log
/// lines, never blocks or kills a worker, never changes an exit code or skips cleanup (issue 10, item 8). Failures go
/// to a <see cref="LogWriteFailureReporter"/>: reported once per minute per file, not per line (issue 13, item 6).
/// </summary>
/// <remarks>
/// Serilog's own logger swallows its sinks' exceptions; the file logger inside is built with
/// <c>WriteTo.Fallible(..., failures)</c> so those failures reach the same reporter.
/// </remarks>
internal sealed class SafeSink(ILogEventSink inner, LogWriteFailureReporter? failures) : ILogEventSink, IDisposable
{
    /// <summary>A sink whose failures go to <paramref name="onFailure"/>, at most once a minute (the clock of the machine).</summary>
    public SafeSink(ILogEventSink inner, Action<Exception>? onFailure = null)
        : this(inner, new LogWriteFailureReporter(TimeProvider.System, onFailure is null ? null : (exception, _) => onFailure(exception)))
    {
    }

    /// <summary>True once a write or flush failed.</summary>
    public bool Failed => failures?.Failed ?? false;

    public void Emit(LogEvent logEvent)
    {
        try
        {
            inner.Emit(logEvent);
        }
        catch (Exception ex)
        {
            failures?.Record(ex);
        }
    }

    public void Dispose()
    {
        try
        {
            (inner as IDisposable)?.Dispose();
        }
        catch (Exception ex)
        {
            failures?.Record(ex);
        }
    }
}
