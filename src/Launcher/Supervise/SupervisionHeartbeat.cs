namespace Launcher.Supervise;

/// <summary>
/// Proof that the supervision loop still turns: the loop calls <see cref="Beat"/> every round (housekeeping, every
/// <see cref="Housekeeping.Interval"/>), and <see cref="SystemdWatchdog"/> pings systemd only while the last beat is
/// at most <see cref="StaleAfter"/> old. A wedged loop (a deadlock, a starved thread pool) thus stops the pings and
/// systemd restarts the service (<c>WatchdogSec=</c>, systemd.service(5)). Outside supervision (start-up, the stop)
/// nothing beats and nothing is required: those phases are bounded by startTimeout and stopGrace on their own.
/// </summary>
internal sealed class SupervisionHeartbeat(TimeProvider time)
{
    /// <summary>Three missed housekeeping rounds: a loaded machine delays one round, never three.</summary>
    public static readonly TimeSpan StaleAfter = 3 * Housekeeping.Interval;

    private long _lastBeat;
    private volatile bool _required;

    /// <summary>Supervision begins: from now on the loop must beat.</summary>
    public void Require()
    {
        Beat();
        _required = true;
    }

    /// <summary>The stop begins: the loop ends on purpose.</summary>
    public void Release() => _required = false;

    public void Beat() => Interlocked.Exchange(ref _lastBeat, time.GetTimestamp());

    /// <summary>True unless supervision is on and its loop has not beaten for longer than <see cref="StaleAfter"/>.</summary>
    public bool IsAlive => !_required || time.GetElapsedTime(Interlocked.Read(ref _lastBeat)) <= StaleAfter;

    /// <summary>How long ago the loop last beat.</summary>
    public TimeSpan SinceLastBeat => time.GetElapsedTime(Interlocked.Read(ref _lastBeat));
}
