namespace Launcher.Supervise;

/// <summary>
/// A loop that runs beside supervision until <see cref="StopAsync"/> or the token given to <see cref="Start"/>:
/// stopping cancels it and waits for it to return, so nothing of it outlives its owner.
/// </summary>
internal sealed class BackgroundLoop
{
    private CancellationTokenSource? _stop;
    private Task _loop = Task.CompletedTask;

    public void Start(Func<CancellationToken, Task> body, CancellationToken stopping)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var token = _stop.Token;
        _loop = Task.Run(() => body(token), CancellationToken.None);
    }

    public async Task StopAsync()
    {
        if (_stop is null)
            return;
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _stop = null;
    }
}
