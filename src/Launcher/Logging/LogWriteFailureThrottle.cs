namespace Launcher.Logging;

/// <summary>
/// When a failing log file is worth a report: at its first failed write, then at most once per
/// <see cref="ReportEvery"/>, each report carrying how many writes were lost since the one before. A full disk fails
/// every line a worker prints; reporting each would flood the launcher's own log (often on the same disk) and
/// stderr. A pure policy on a <see cref="TimeProvider"/> (serilog's FailureAwareBatchScheduler shape).
/// </summary>
internal sealed class LogWriteFailureThrottle(TimeProvider time)
{
    public static readonly TimeSpan ReportEvery = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private long? _lastReport;
    private int _lostSinceReport;

    /// <summary>All failed writes so far.</summary>
    public int TotalFailures { get; private set; }

    /// <summary>
    /// Records one failed write. True when it is time to report, with <paramref name="lostSinceLastReport"/> = the
    /// failed writes since the last report, this one included.
    /// </summary>
    public bool RecordFailure(out int lostSinceLastReport)
    {
        lock (_gate)
        {
            TotalFailures++;
            _lostSinceReport++;
            var now = time.GetTimestamp();
            if (_lastReport is { } last && time.GetElapsedTime(last, now) < ReportEvery)
            {
                lostSinceLastReport = 0;
                return false;
            }

            _lastReport = now;
            lostSinceLastReport = _lostSinceReport;
            _lostSinceReport = 0;
            return true;
        }
    }
}
