using Launcher.Config;

namespace Launcher.Supervise;

/// <summary>
/// Delay before a replacement: starts at <c>initialDelay</c>, doubles per consecutive failure up to
/// <c>maxDelay</c>, with ±20% jitter so many workers that die together do not restart in lockstep. A worker
/// that stayed up for <c>resetAfter</c> was healthy: the next failure starts from the beginning again.
/// </summary>
internal sealed class RestartBackoff(RestartSpec spec, Random random)
{
    public const double Jitter = 0.2;
    private int _consecutiveFailures;

    public TimeSpan NextDelay(TimeSpan uptime)
    {
        if (uptime >= spec.ResetAfter)
            _consecutiveFailures = 0;

        var exponent = Math.Min(_consecutiveFailures, 30);
        var baseSeconds = Math.Min(spec.InitialDelay.TotalSeconds * Math.Pow(2, exponent), spec.MaxDelay.TotalSeconds);
        _consecutiveFailures++;

        var factor = 1 - Jitter + (2 * Jitter * random.NextDouble());
        return TimeSpan.FromSeconds(Math.Min(baseSeconds * factor, spec.MaxDelay.TotalSeconds));
    }
}
