using Serilog.Core;
using Serilog.Events;

namespace Launcher.Logging;

/// <summary>
/// Wraps a sink (a file logger) so that nothing it throws reaches the launcher, neither from writing nor from its
/// final flush on dispose: a full or vanished log directory (ENOSPC, EIO) loses log lines, never changes an exit code
/// or skips cleanup (issue 10, item 8). The first failure is reported once through <c>onFirstFailure</c>.
/// </summary>
internal sealed class SafeSink(ILogEventSink inner, Action<Exception>? onFirstFailure = null) : ILogEventSink, IDisposable
{
    private int _failed;

    /// <summary>True once a write or flush failed.</summary>
    public bool Failed => Volatile.Read(ref _failed) != 0;

    public void Emit(LogEvent logEvent)
    {
        try
        {
            inner.Emit(logEvent);
        }
        catch (Exception ex)
        {
            Report(ex);
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
            Report(ex);
        }
    }

    private void Report(Exception exception)
    {
        if (Interlocked.Exchange(ref _failed, 1) != 0 || onFirstFailure is null)
            return;
        try
        {
            onFirstFailure(exception);
        }
        catch (Exception)
        {
            // The report itself may need the failing disk; it is best effort by design.
        }
    }
}
