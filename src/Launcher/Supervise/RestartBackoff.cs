using Launcher.Config;

namespace Launcher.Supervise;

/// <summary>
/// Delay before a replacement: the first failure waits <c>initialDelay</c> (0 allowed: an immediate restart), each
/// further consecutive failure doubles from <c>max(initialDelay, Floor)</c> up to <c>maxDelay</c>, with ±20% jitter so
/// many workers that die together do not restart in lockstep. A worker that stayed up for <c>resetAfter</c> was
/// healthy: the next failure starts from the beginning again.
/// </summary>
/// <remarks>
/// With <c>initialDelaySeconds: 0</c> the delays are 0, 0.1, 0.2, 0.4 s...: the first restart of a healthy worker
/// that died costs nothing, and a worker that dies at once again is slowed down and, after
/// <c>restart.crashLoopCount</c> exits, ends the run (the crash-loop rule, <see cref="CrashLoopDetector"/>).
/// </remarks>
internal sealed class RestartBackoff(RestartSpec spec, Random random)
{
    public const double Jitter = 0.2;

    /// <summary>Where the doubling starts when <c>initialDelay</c> is smaller (0 would double to 0 for ever).</summary>
    public static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(100);

    private int _consecutiveFailures;

    public TimeSpan NextDelay(TimeSpan uptime)
    {
        if (uptime >= spec.ResetAfter)
            _consecutiveFailures = 0;

        var failures = _consecutiveFailures++;
        var start = failures == 0 ? spec.InitialDelay : TimeSpan.FromTicks(Math.Max(spec.InitialDelay.Ticks, Floor.Ticks));
        var exponent = Math.Min(Math.Max(failures - (spec.InitialDelay < Floor ? 1 : 0), 0), 30);
        var baseSeconds = Math.Min(start.TotalSeconds * Math.Pow(2, exponent), spec.MaxDelay.TotalSeconds);

        var factor = 1 - Jitter + (2 * Jitter * random.NextDouble());
        return TimeSpan.FromSeconds(Math.Min(baseSeconds * factor, spec.MaxDelay.TotalSeconds));
    }
}
