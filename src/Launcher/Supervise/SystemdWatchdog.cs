using Launcher.Logging;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// systemd's software watchdog (<c>WatchdogSec=</c>, sd_watchdog_enabled(3)): <c>WATCHDOG=1</c> every half of
/// <c>WATCHDOG_USEC</c>, but only while <see cref="SupervisionHeartbeat.IsAlive"/>. The timer alone proves nothing (it
/// would keep ticking beside a deadlocked supervisor); the heartbeat is what the supervision loop refreshes, so a
/// wedged loop lets systemd kill and restart the service, which is what the watchdog is for.
/// </summary>
internal sealed class SystemdWatchdog(TimeSpan interval, SupervisionHeartbeat heartbeat, TimeProvider time, Func<string, bool> send, ILogger logger)
{
    private readonly BackgroundLoop _loop = new();
    private bool _withholding;

    /// <summary>Pings sent so far.</summary>
    public int Sent { get; private set; }

    /// <summary>Starts pinging until <see cref="StopAsync"/> or <paramref name="stopping"/>; the run passes none, so the pings go on through the stop.</summary>
    public void Start(CancellationToken stopping) => _loop.Start(LoopAsync, stopping);

    public Task StopAsync() => _loop.StopAsync();

    /// <summary>One tick (the loop's, or a test's): ping if the supervision loop is alive. Returns whether a ping went out.</summary>
    public bool Tick()
    {
        if (!heartbeat.IsAlive)
        {
            if (!_withholding)
                Log.WatchdogWithheld(logger, heartbeat.SinceLastBeat.TotalSeconds, Sent);
            _withholding = true;
            return false;
        }

        if (_withholding)
            Log.WatchdogResumed(logger);
        _withholding = false;
        if (!send("WATCHDOG=1"))
            return false;
        Sent++;
        return true;
    }

    private async Task LoopAsync(CancellationToken token)
    {
        Log.WatchdogStarted(logger, interval.TotalSeconds);
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            Tick(); // at once: a start-up longer than WatchdogSec must not look like a hang
            while (await timer.WaitForNextTickAsync(token))
                Tick();
        }
        catch (OperationCanceledException)
        {
        }
    }
}
