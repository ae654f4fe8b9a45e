using System.Net;
using Launcher.Supervise;
using Microsoft.Extensions.Logging;

namespace Launcher.Observe;

/// <summary>
/// Everything <c>metrics.listen</c> turns on, started by `launcher run` after the guard and before any worker: the
/// <see cref="RunBoard"/> the status publisher fills, the metrics over it, and the listener serving them with the
/// status page. Off (null) by default, and then none of it (nor prometheus-net) is ever loaded.
/// </summary>
internal sealed class ObserveListener : IAsyncDisposable
{
    private readonly ObserveServer _server;
    private readonly LauncherMetrics _metrics;
    private volatile Func<CancellationToken, Task<string>>? _status;

    private ObserveListener(RunBoard board, ListenAddress address, TimeProvider time, ILogger logger)
    {
        Board = board;
        _metrics = new LauncherMetrics(board, time);
        try
        {
            _server = ObserveServer.Start(address, new StatusSite(_metrics, StatusJsonAsync), logger);
        }
        catch
        {
            _metrics.Dispose();
            throw;
        }
    }

    public RunBoard Board { get; }

    /// <summary>The bound address (its port is the kernel's pick when the config said 0).</summary>
    public IPEndPoint Bound => _server.Bound;

    public static ObserveListener? Start(EffectiveSpec effective, TimeProvider time, ILogger logger)
    {
        if (effective.Spec.MetricsListen is not { } address)
            return null;
        var restart = effective.Spec.Restart;
        var board = new RunBoard(effective.Spec.Instance, effective.Workers, restart.CrashLoopCount, restart.CrashLoopWindow, time);
        return new ObserveListener(board, address, time, logger);
    }

    /// <summary>Where /status.json comes from once the run can describe itself (the `launcher status --json` builder).</summary>
    public void ServeStatus(Func<CancellationToken, Task<string>> statusJson) => _status = statusJson;

    private Task<string> StatusJsonAsync(CancellationToken cancellationToken) =>
        _status is { } status ? status(cancellationToken) : throw new InvalidOperationException("the run is not ready to describe itself yet");

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _metrics.Dispose();
    }
}
