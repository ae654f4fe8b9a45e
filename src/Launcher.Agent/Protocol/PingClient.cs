using System.Net.Sockets;
using System.Text.Json;
using Launcher.Agent.Platform;

namespace Launcher.Agent.Protocol;

/// <summary>The client side of the ping: connect, send <c>ping\n</c>, read one JSON line.</summary>
internal static class PingClient
{
    // A reply is one short JSON object; a peer streaming without a newline is no answer.
    private const int MaxReplyBytes = 64 * 1024;

    /// <summary>Pings the worker listening on <paramref name="socketPath"/>; null when it does not answer in time.</summary>
    public static async Task<PingReply?> PingAsync(string socketPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(socketPath, "ping", timeout, cancellationToken);
        if (reply is null)
            return null;

        try
        {
            return JsonSerializer.Deserialize(reply, ProtocolJson.Default.PingReply);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Sends one command line and returns the one reply line, or null on any failure or timeout.</summary>
    public static async Task<string?> SendAsync(string socketPath, string command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                await using var pipe = await WindowsPipe.ConnectAsync(socketPath, timeoutCts.Token);
                return await ExchangeAsync(pipe, command, timeoutCts.Token);
            }

            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), timeoutCts.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
<<<<<<< HEAD
            return await ExchangeAsync(stream, command, timeoutCts.Token);
=======
            await LineFraming.WriteLineAsync(stream, command, timeoutCts.Token);
            return await new LineReader(stream, MaxReplyBytes).ReadLineAsync(timeoutCts.Token);
>>>>>>> d1bc3f9 (Control socket: status, ping and stop answered by the running launcher from memory over <runtime>/<instance>.control.sock (SO_PEERCRED-checked both ways), falling back to discovery; status/ping --json gain an additive source field)
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task<string?> ExchangeAsync(Stream stream, string command, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\n"), cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        return await reader.ReadLineAsync(cancellationToken);
    }
}
