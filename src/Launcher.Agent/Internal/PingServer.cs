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
/// <remarks>
/// On Unix one thread of its own waits in a blocking accept(2) and answers a connection whose request is already
/// there, or comes within 10 ms (the launcher sends it right after connecting), at once, with blocking calls: one thread
/// woken per ping.
/// Answering through the thread pool (the socket engine's thread, then a pool thread for the accept, another for the
/// answer) cost a worker about 1.3 ms of CPU per ping, 80 % of it pool threads spinning (sched_yield) after their
/// work, and ten workers pinged at once competed for the cores with it: `launcher ping` took 47 ms +- 42 above
/// `launcher --version` with 10 SampleWorkers (issue 12, part 3). A connection that has sent no complete line yet
/// goes to the async path after those 10 ms, which reads it with its deadline, so a slow client holds the next ping up
/// by 10 ms at most.
/// </remarks>
internal sealed class PingServer(string socketPath, PingReply identity, Action onStop) : IAsyncDisposable
{
    // A request is one short word: a line longer than this is left to the async path.
    private const int QuickRequestBytes = 64;

    // The launcher writes its request right after connect(2) returns, but this thread, woken by the connect, may look
    // before it arrives (seen under load): a short wait here is far cheaper than the async path's pool threads, and
    // it is all a client that sends nothing can hold the next ping up.
    private const int RequestWaitMicroseconds = 10_000;

    private static readonly byte[] StopReply = Encoding.UTF8.GetBytes("{\"stopping\":true}\n");
    private static readonly byte[] UnknownReply = Encoding.UTF8.GetBytes("{\"error\":\"unknown command\"}\n");

    private Socket? _listener;
    private readonly CancellationTokenSource _cts = new();
    private Task _acceptLoop = Task.CompletedTask;
    private Thread? _responder;
    // Who we are does not change: the reply is serialized once.
    private readonly byte[] _pingReply = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(identity, ProtocolJson.Default.PingReply) + "\n");

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
        _responder = new Thread(AcceptLoop) { IsBackground = true, Name = "launcher-agent-ping" };
        _responder.Start();
    }

    private void AcceptLoop()
    {
        var cancellationToken = _cts.Token;
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                // Disposing the listener ends the wait (.NET shuts the socket down first, which wakes accept(2)).
                client = _listener!.Accept();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            if (!TryAnswerAtOnce(client))
                _ = Task.Run(() => AnswerAsync(client, cancellationToken), cancellationToken);
        }
    }

    // True when the connection was dealt with here: its request line was already there (peeked, so that nothing is
    // consumed when it is not), or the client was gone. False leaves it to the async path.
    private bool TryAnswerAtOnce(Socket client)
    {
        try
        {
            Span<byte> request = stackalloc byte[QuickRequestBytes];
            if (!client.Poll(RequestWaitMicroseconds, SelectMode.SelectRead))
                return false;
            var peeked = client.Receive(request, SocketFlags.Peek);
            var newline = request[..peeked].IndexOf((byte)'\n');
            if (newline < 0)
                return false;
            client.Receive(request[..(newline + 1)], SocketFlags.None);
            var command = Encoding.UTF8.GetString(request[..newline]).Trim();
            // A reply of a few bytes into an empty socket buffer does not block; the timeout is for the impossible.
            client.SendTimeout = 1000;
            client.Send(ReplyTo(command));
            client.Dispose();
            if (command == "stop")
                onStop();
            return true;
        }
        catch (SocketException)
        {
            // A client that hung up costs nothing but its own answer.
            client.Dispose();
            return true;
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
            await stream.WriteAsync(ReplyTo(command), timeout.Token);
            if (command == "stop")
                onStop();
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
            // A client that hangs up or stalls costs nothing but its own answer.
        }
    }

    // The one line answering a request, on both paths.
    private byte[] ReplyTo(string? command) => command switch
    {
        "ping" => _pingReply,
        "stop" => StopReply,
        _ => UnknownReply,
    };

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _listener?.Dispose();
        await _acceptLoop;
        _responder?.Join(TimeSpan.FromSeconds(5));
        _cts.Dispose();
        File.Delete(socketPath);
    }
}
