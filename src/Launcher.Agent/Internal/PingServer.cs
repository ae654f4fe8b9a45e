using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Launcher.Agent.Platform;
using Launcher.Agent.Protocol;

namespace Launcher.Agent.Internal;

/// <summary>
/// Answers <c>ping</c> and <c>stop</c> on a Unix domain socket, one line in, one line out; on Windows on the named
/// pipe that stands for the socket path (<see cref="WindowsPipe"/>).
/// </summary>
internal sealed class PingServer(string socketPath, PingReply identity, Action onStop) : IAsyncDisposable
{
    private Socket? _listener;
    private readonly CancellationTokenSource _cts = new();
    private Task _acceptLoop = Task.CompletedTask;

    public void Start()
    {
        if (OperatingSystem.IsWindows())
        {
            _acceptLoop = Task.Run(() => PipeLoopAsync(_cts.Token));
            return;
        }

        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        // A socket file left by a dead process with our pid (pid reuse) would make bind fail.
        File.Delete(socketPath);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(16);
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_cts.Token));
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener!.AcceptAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(client, cancellationToken), cancellationToken);
        }
    }

    private async Task PipeLoopAsync(CancellationToken cancellationToken)
    {
        while (OperatingSystem.IsWindows() && !cancellationToken.IsCancellationRequested)
        {
            var pipe = WindowsPipe.Listen(socketPath);
            try
            {
                await pipe.WaitForConnectionAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
            {
                await pipe.DisposeAsync();
                return;
            }

            _ = Task.Run(() => AnswerAsync(pipe, cancellationToken), cancellationToken);
        }
    }

    private async Task AnswerAsync(Socket client, CancellationToken cancellationToken)
    {
        using var _ = client;
        await AnswerAsync(new NetworkStream(client, ownsSocket: false), cancellationToken);
    }

    private async Task AnswerAsync(Stream connection, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await using var stream = connection;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var command = (await reader.ReadLineAsync(timeout.Token))?.Trim();
            var reply = command switch
            {
                "ping" => JsonSerializer.Serialize(identity, ProtocolJson.Default.PingReply),
                "stop" => "{\"stopping\":true}",
                _ => "{\"error\":\"unknown command\"}",
            };
            await stream.WriteAsync(Encoding.UTF8.GetBytes(reply + "\n"), timeout.Token);
            if (command == "stop")
                onStop();
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
            // A client that hangs up or stalls costs nothing but its own answer.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _listener?.Dispose();
        await _acceptLoop;
        _cts.Dispose();
        File.Delete(socketPath);
    }
}
