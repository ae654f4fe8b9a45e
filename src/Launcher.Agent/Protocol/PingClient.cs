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
        return ParseReply(await SendAsync(socketPath, "ping", timeout, cancellationToken));
    }

    /// <summary>A reply line read as a <see cref="PingReply"/>; null for no line or one that is not a reply.</summary>
    public static PingReply? ParseReply(string? line)
    {
        if (line is null)
            return null;
        try
        {
            return JsonSerializer.Deserialize(line, ProtocolJson.Default.PingReply);
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
            return await ExchangeAsync(stream, command, timeoutCts.Token);
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

    // The same framing over a Unix socket and a Windows named pipe: one line out, one bounded line back.
    private static async Task<string?> ExchangeAsync(Stream stream, string command, CancellationToken cancellationToken)
    {
        await LineFraming.WriteLineAsync(stream, command, cancellationToken);
        return await new LineReader(stream, MaxReplyBytes).ReadLineAsync(cancellationToken);
    }
}
