using System.Net;
using System.Net.Sockets;

namespace Launcher.Tests.Lease;

/// <summary>
/// A TCP proxy on a free loopback port in front of one Redis, so a test can cut one "host" off: <see cref="Stall"/>
/// stops forwarding bytes in both directions but keeps every connection open (a partition, or a hung peer: the
/// client sees no error, only silence); <see cref="Drop"/> closes every connection and refuses new ones until
/// <see cref="Resume"/>.
/// </summary>
internal sealed class StallProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private readonly List<TcpClient> _connections = [];
    private TaskCompletionSource _flowing = NewOpenGate();
    private bool _dropping;
    private readonly Task _accepting;

    public StallProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptLoopAsync();
    }

    public int Port { get; }

    public string Url => $"redis://127.0.0.1:{Port}";

    /// <summary>Stop forwarding; connections stay open and silent.</summary>
    public void Stall()
    {
        lock (_gate)
        {
            if (_flowing.Task.IsCompleted)
                _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Close every connection and refuse new ones.</summary>
    public void Drop()
    {
        lock (_gate)
        {
            _dropping = true;
            foreach (var connection in _connections)
                connection.Dispose();
            _connections.Clear();
        }
    }

    /// <summary>Forward again (bytes held during a stall are delivered now).</summary>
    public void Resume()
    {
        lock (_gate)
        {
            _dropping = false;
            _flowing.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        _listener.Stop();
        Resume();
        Drop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _disposed.Dispose();
    }

    private static TaskCompletionSource NewOpenGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_disposed.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_disposed.Token);
            bool dropping;
            lock (_gate)
                dropping = _dropping;
            if (dropping)
            {
                client.Dispose();
                continue;
            }

            _ = Task.Run(() => BridgeAsync(client));
        }
    }

    private async Task BridgeAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _disposed.Token);
            lock (_gate)
            {
                _connections.Add(client);
                _connections.Add(upstream);
            }

            await Task.WhenAny(PumpAsync(client.GetStream(), upstream.GetStream()), PumpAsync(upstream.GetStream(), client.GetStream()));
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            client.Dispose();
            upstream.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, _disposed.Token);
                if (read == 0)
                    return;
                Task gate;
                lock (_gate)
                    gate = _flowing.Task;
                await gate.WaitAsync(_disposed.Token);
                await to.WriteAsync(buffer.AsMemory(0, read), _disposed.Token);
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
