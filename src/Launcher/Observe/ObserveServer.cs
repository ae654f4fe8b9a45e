using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Launcher.Exceptions;
using Launcher.Logging;
using Microsoft.Extensions.Logging;

namespace Launcher.Observe;

/// <summary>
/// The metrics and status page listener (<c>metrics.listen</c>): a deliberately small HTTP/1.1 server on one TCP
/// socket. GET and HEAD only, one request per connection (<c>Connection: close</c>), at most
/// <see cref="MaxConnections"/> at once (more are closed at once), a request head of at most
/// <see cref="MaxHeadBytes"/> and <see cref="RequestDeadline"/> to send it. Answers come from <see cref="StatusSite"/>,
/// which reads snapshots only; nothing here waits for the supervisor.
/// </summary>
internal sealed class ObserveServer : IAsyncDisposable
{
    public const int MaxConnections = 16;
    public const int MaxHeadBytes = 8 * 1024;
    public static readonly TimeSpan RequestDeadline = TimeSpan.FromSeconds(5);

    private readonly Socket _listener;
    private readonly StatusSite _site;
    private readonly bool _loopback;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _acceptLoop;
    private int _open;

    private ObserveServer(Socket listener, StatusSite site, bool loopback, ILogger logger)
    {
        _listener = listener;
        _site = site;
        _loopback = loopback;
        _logger = logger;
        Bound = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The address actually bound (the port is the kernel's choice when <c>metrics.listen</c> gave port 0).</summary>
    public IPEndPoint Bound { get; }

    /// <summary>Binds and starts answering; a bind failure (address in use, not on this machine) is exit 2 naming <c>metrics.listen</c>.</summary>
    public static ObserveServer Start(ListenAddress address, StatusSite site, ILogger logger)
    {
        var listener = new Socket(address.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(address.EndPoint);
            listener.Listen(MaxConnections);
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            throw new ConfigException(ListenAddress.Key, $"cannot listen on {address}: {ex.Message}");
        }

        var server = new ObserveServer(listener, site, address.IsLoopback, logger);
        if (!address.IsLoopback)
            Log.ObserveNotLoopback(logger, server.Bound.ToString());
        Log.ObserveListening(logger, server.Bound.ToString());
        return server;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_closing.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_closing.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                if (_closing.IsCancellationRequested)
                    return;
                continue;
            }

            if (Interlocked.Increment(ref _open) > MaxConnections)
            {
                // Over the bound: no buffer, no task, no answer. A scraper retries; a flood costs an accept and a close.
                Interlocked.Decrement(ref _open);
                client.Dispose();
                continue;
            }

            _ = Task.Run(() => AnswerAsync(client));
        }
    }

    private async Task AnswerAsync(Socket client)
    {
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
            deadline.CancelAfter(RequestDeadline);
            var (answer, head) = await ReadAndAnswerAsync(client, deadline.Token);
            await SendAsync(client, answer, head?.Method == "HEAD", deadline.Token);
            client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            // A client that stalls or hangs up costs only its own answer.
        }
        finally
        {
            client.Dispose();
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task<(HttpAnswer Answer, HttpRequestHead? Head)> ReadAndAnswerAsync(Socket client, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxHeadBytes];
        var length = 0;
        int end;
        while ((end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (length == buffer.Length)
                return (HttpAnswer.Text(431, $"request head over {MaxHeadBytes} bytes"), null);
            var read = await client.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken);
            if (read == 0)
                throw new IOException("the client closed before a whole request head");
            length += read;
        }

        var head = HttpRequestHead.Parse(buffer.AsSpan(0, end));
        if (head is null)
            return (HttpAnswer.Text(400, "not an HTTP/1.x request"), null);
        if (head.Method is not ("GET" or "HEAD"))
            return (HttpAnswer.Text(405, "only GET and HEAD"), head);
        if (_loopback && !head.HostIsAnAddress())
            return (HttpAnswer.Text(403, "a loopback listener answers only Host: localhost or an IP address"), head);

        try
        {
            return (await _site.AnswerAsync(head.Path, cancellationToken), head);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ObserveRequestFailed(_logger, head.Path, ex.Message);
            return (HttpAnswer.Text(500, ex.Message), head);
        }
    }

    private static async Task SendAsync(Socket client, HttpAnswer answer, bool headOnly, CancellationToken cancellationToken)
    {
        var header = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {answer.Status} {answer.Reason}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Type: {answer.ContentType}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {answer.Body.Length}\r\n")
            .Append("Cache-Control: no-store\r\n")
            .Append("X-Content-Type-Options: nosniff\r\n")
            .Append("Connection: close\r\n\r\n");
        await client.SendAsync(Encoding.ASCII.GetBytes(header.ToString()), SocketFlags.None, cancellationToken);
        if (!headOnly && answer.Body.Length > 0)
            await client.SendAsync(answer.Body, SocketFlags.None, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        _closing.Dispose();
    }
}
