using System.Net.Sockets;
using System.Text.Json;
using Launcher.Agent.Protocol;
using Launcher.Logging;
using Launcher.Platform.Windows;
using Microsoft.Extensions.Logging;

namespace Launcher.Control;

/// <summary>
/// The running launcher's control socket, <c>&lt;runtime&gt;/&lt;instance&gt;.control.sock</c>: `launcher status`,
/// `ping` and `stop` ask it instead of rediscovering the world. One line in, one line out (the worker protocol's
/// framing, <see cref="LineFraming"/>): <c>status</c> (the <see cref="StatusDocument"/>), <c>ping</c>
/// (<see cref="ControlPing"/>), <c>stop</c> (<c>{"stopping":true,"pid":N}</c>, then <c>{"exitCode":N}</c> once every
/// worker is stopped). Only our own user is answered: the directory is 0700, the socket 0600, and the peer's uid
/// (<c>SO_PEERCRED</c>, socket(7)) is checked on every connection. Started after the guard is taken, so a socket
/// file already there is a dead launcher's and is replaced.
/// </summary>
internal sealed partial class ControlServer : IAsyncDisposable
{
    private const int MaxRequestBytes = 256;
    private static readonly TimeSpan RequestDeadline = TimeSpan.FromSeconds(5);

    private readonly string _path;
    private readonly Socket? _listener;
    private readonly LiveRun _run;
    private readonly ControlPing _ping;
    private readonly Action _stop;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _gate = new();
    private readonly List<Stream> _stopWaiters = [];
    private readonly Task _acceptLoop;

    private ControlServer(string path, Socket? listener, ControlPipeListener? pipes, LiveRun run, Action stop, TimeProvider time, ILogger logger)
    {
        _path = path;
        _listener = listener;
        _pipes = pipes;
        _run = run;
        _ping = new ControlPing(run);
        _stop = stop;
        _time = time;
        _logger = logger;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Listens on the instance's control socket; null (logged) when it cannot, and the commands fall back to discovery.</summary>
    public static ControlServer? Start(RuntimePaths paths, LiveRun run, Action stop, TimeProvider time, ILogger logger)
    {
        var path = ControlSocketPath.For(paths);
        if (OperatingSystem.IsWindows())
            return StartPipe(path, run, stop, time, logger);
        Socket? listener = null;
        try
        {
            // Inside the try: Wine 8 refuses AF_UNIX at the constructor already (WSAEAFNOSUPPORT), and then the run goes on without.
            listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            // We hold the instance lock: whatever is at this path was left by a launcher that is gone.
            File.Delete(path);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(64);
            Log.ControlListening(logger, path);
            return new ControlServer(path, listener, null, run, stop, time, logger);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            listener?.Dispose();
            Log.ControlUnavailable(logger, path, ex.Message);
            return null;
        }
    }

    /// <summary>Answers every waiting `launcher stop` with the run's exit code: the last thing before the launcher exits.</summary>
    public void ReportExit(int exitCode)
    {
        Stream[] waiters;
        lock (_gate)
        {
            waiters = [.. _stopWaiters];
            _stopWaiters.Clear();
        }

        var line = JsonSerializer.Serialize(new ControlReply(ExitCode: exitCode), ControlWireJson.Default.ControlReply) + "\n";
        foreach (var waiter in waiters)
        {
            try
            {
                waiter.Write(System.Text.Encoding.UTF8.GetBytes(line));
                waiter.Flush();
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                // That client has gone; it learns the outcome from the process's exit.
            }
            finally
            {
                waiter.Dispose();
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        if (OperatingSystem.IsWindows())
        {
            await PipeLoopAsync();
            return;
        }

        while (!_closing.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener!.AcceptAsync(_closing.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(client));
        }
    }

    private Task AnswerAsync(Socket client) => AnswerAsync(new NetworkStream(client, ownsSocket: true), PeerCredentials.Of(client));

    // One connection: the socket's stream with SO_PEERCRED's answer, or (Windows) a pipe with its client's pid.
    private async Task AnswerAsync(Stream stream, PeerCredentials? who)
    {
        var keepOpen = false;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
            deadline.CancelAfter(RequestDeadline);
            // The request is read (bounded) before anything is decided, so that a refused client reads its refusal
            // instead of a broken pipe; nothing in it is acted upon unless the kernel vouches for the peer.
            var command = (await new LineReader(stream, MaxRequestBytes).ReadLineAsync(deadline.Token))?.Trim();
            var ours = SelfIdentity.UserId;
            if (who is not { } peer || peer.UserId != ours)
            {
                Log.ControlRefused(_logger, who?.Pid ?? 0, who?.UserId ?? -1, ours);
                await LineFraming.WriteLineAsync(stream, Error($"refused: only uid {ours} may control this launcher"), deadline.Token);
                return;
            }

            Log.ControlRequest(_logger, command ?? "(nothing)", peer.Pid);
            switch (command)
            {
                case "status":
                    // Not the request deadline: with coordination.kind redis the lease read has its own timeouts.
                    var report = await StatusDocument.BuildAsync(_run, _time, _closing.Token);
                    await LineFraming.WriteLineAsync(stream, JsonSerializer.Serialize(report, ControlWireJson.Default.StatusReport), _closing.Token);
                    break;
                case "ping":
                    // Not the request deadline: a ping.command may take up to ping.timeoutSeconds.
                    var pings = await _ping.PingAsync(_closing.Token);
                    await LineFraming.WriteLineAsync(stream, JsonSerializer.Serialize(pings, ControlWireJson.Default.PingReport), _closing.Token);
                    break;
                case "stop":
                    Log.ControlStopRequested(_logger, peer.Pid);
                    lock (_gate)
                        _stopWaiters.Add(stream);
                    keepOpen = true;
                    await LineFraming.WriteLineAsync(stream, JsonSerializer.Serialize(new ControlReply(Stopping: true, Pid: Environment.ProcessId), ControlWireJson.Default.ControlReply), deadline.Token);
                    _stop();
                    break;
                default:
                    await LineFraming.WriteLineAsync(stream, Error("unknown command; send status, ping or stop"), deadline.Token);
                    break;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // A client that hangs up or stalls costs nothing but its own answer.
        }
        finally
        {
            if (!keepOpen)
                await stream.DisposeAsync();
        }
    }

    private static string Error(string message) => JsonSerializer.Serialize(new ControlReply(Error: message), ControlWireJson.Default.ControlReply);

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        _listener?.Dispose();
        await _acceptLoop;
        if (OperatingSystem.IsWindows())
            _pipes?.Dispose(); // after the loop: it may be creating the next instance
        lock (_gate)
        {
            // Without ReportExit (an exception on the way out): they see the connection close and watch the process.
            foreach (var waiter in _stopWaiters)
                waiter.Dispose();
            _stopWaiters.Clear();
        }

        try
        {
            File.Delete(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The next launcher replaces it.
        }

        _closing.Dispose();
    }
}
