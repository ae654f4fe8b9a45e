using Launcher.Logging;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// A loop on the run's clock while it supervises: every <see cref="Interval"/> it runs one round (reap adopted
/// zombies, publish the status). A failed round is logged and the next one tries again.
/// </summary>
internal sealed class Housekeeping(TimeProvider time, Action round, ILogger logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private CancellationTokenSource? _stop;
    private Task _loop = Task.CompletedTask;

    public void Start(CancellationToken stopping)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var token = _stop.Token;
        _loop = Task.Run(() => LoopAsync(token), CancellationToken.None);
    }

    /// <summary>Ends the loop and waits for a round in progress (its status write must not overwrite "stopping").</summary>
    public async Task StopAsync()
    {
        if (_stop is null)
            return;
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _stop = null;
    }

    private async Task LoopAsync(CancellationToken token)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(token))
            {
                try
                {
                    round();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.HousekeepingFailed(logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
