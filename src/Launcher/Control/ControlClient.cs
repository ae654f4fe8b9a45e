using System.Net.Sockets;
using System.Text;
using Launcher.Agent.Protocol;
using Launcher.Cli;
using Launcher.Platform;
using Launcher.Strays;

namespace Launcher.Control;

/// <summary>
/// The command side of the control socket. A connection counts only when the kernel vouches for the server: its
/// uid is ours and its pid (<c>SO_PEERCRED</c>, socket(7)) holds the instance lock (<c>/proc/locks</c>, proc(5)),
/// see <see cref="Verify"/>. Anything else (no socket file, a dead launcher's
/// stale file: connection refused at once, another program listening there, a launcher that does not answer in
/// time) is null, and the command falls back to discovery.
/// </summary>
/// <remarks>
/// Blocking calls with kernel timeouts straight through libc (<see cref="UnixStreamSocket"/>,
/// <see cref="DeadlineSocketStream"/>), not .NET's async sockets: those start the socket engine's epoll thread, a
/// timer thread for the deadline and thread-pool workers that spin before they sleep, which cost `launcher status`
/// more than the exchange itself (issue 12, part 3). Stop's wait for its second line (<see cref="ReadLineAsync"/>,
/// with progress lines meanwhile) is the same blocking read on a pool thread. Linux only, as the proof is
/// (<c>SO_PEERCRED</c>, <c>/proc/locks</c>); Windows has its pipe (ControlClient.Windows.cs).
/// </remarks>
internal sealed partial class ControlClient : IDisposable
{
    // A reply to status carries every worker and the last 64 events: large, but bounded.
    private const int MaxReplyBytes = 8 * 1024 * 1024;
    private static readonly TimeSpan ConnectDeadline = TimeSpan.FromSeconds(1);

    private readonly UnixStreamSocket? _socket;
    private readonly Stream _stream;
    private readonly LineReader _reader;

    private ControlClient(UnixStreamSocket socket, ProcessIdentity launcher)
        : this(new DeadlineSocketStream(socket), socket, launcher)
    {
    }

    // The socket's stream, or (Windows) the connected pipe itself with no socket.
    private ControlClient(Stream stream, UnixStreamSocket? socket, ProcessIdentity launcher)
    {
        _socket = socket;
        _stream = stream;
        _reader = new LineReader(_stream, MaxReplyBytes);
        Launcher = launcher;
    }

    /// <summary>The launcher at the other end, proven as above.</summary>
    public ProcessIdentity Launcher { get; }

    /// <summary>A verified connection to the instance's running launcher, or null (fall back to discovery).</summary>
    public static ControlClient? Connect(InstanceView view)
    {
        var path = ControlSocketPath.For(view.Paths);
        if (OperatingSystem.IsWindows())
            return ConnectPipeAsync(view, path, CancellationToken.None).GetAwaiter().GetResult();
        // Only a socket is tried: no connect when no launcher ever ran (the common case of a fallback). Elsewhere
        // than Linux the kernel vouches for nobody (no SO_PEERCRED): discovery.
        if (!OperatingSystem.IsLinux() || view.Platform.Files.Inspect(path) is not { Kind: FileKind.Special })
            return null;

        // A dead launcher's socket file refuses the connection at once.
        var socket = UnixStreamSocket.Connect(path, ConnectDeadline);
        try
        {
            if (socket is not null && Verify(view, socket) is { } launcher)
            {
                var client = new ControlClient(socket, launcher);
                socket = null;
                return client;
            }

            return null;
        }
        catch (IOException)
        {
            return null;
        }
        finally
        {
            socket?.Dispose();
        }
    }

    // Both facts come from the kernel, nothing from a file anyone could write: SO_PEERCRED names the process that
    // listens (its pid and uid, fixed at listen(2)), and /proc/locks says that very pid holds the write flock on the
    // instance's lock file, which only the `launcher run` that owns the instance takes (the guard). A stale socket
    // file refuses the connection; another program listening there (even one of ours) holds no such lock; a launcher
    // of another instance holds another lock. What this no longer reads (the holder file, the executable, the process
    // table) was the cost of `launcher status` (issue 12, part 3) and adds nothing here: the holder file is only a
    // claim, and a process of our own uid that takes the instance lock and listens on its socket could as well ptrace
    // the launcher. The start ticks, read before the lock is checked, make the identity `stop` waits on; a pid reused
    // between the two reads would have to hold the lock too.
    private static ProcessIdentity? Verify(InstanceView view, UnixStreamSocket socket)
    {
        var processes = view.Platform.Processes;
        if (PeerCredentials.Of(socket) is not { } peer || peer.UserId != processes.CurrentUserId)
            return null;
        if (processes.ReadStartTicks(peer.Pid) is not { } startTicks)
            return null;
        return RunningLauncher.HoldsLock(view.Paths.LockFile, peer.Pid, view.Platform) ? new ProcessIdentity(peer.Pid, startTicks) : null;
    }

    /// <summary>Sends one command and reads its one-line reply; null when none comes within <paramref name="deadline"/>.</summary>
    public string? Request(string command, TimeSpan deadline)
    {
        if (_stream is not DeadlineSocketStream socketStream)
            return RequestAsync(command, deadline, CancellationToken.None).GetAwaiter().GetResult();
        socketStream.EndBy(deadline);
        try
        {
            socketStream.Write(Encoding.UTF8.GetBytes(command + "\n"));
            return _reader.ReadLine();
        }
        catch (IOException)
        {
            return null;
        }
    }

    // The pipe's exchange (Windows): the same framing, async, with a token for the deadline.
    private async Task<string?> RequestAsync(string command, TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            await LineFraming.WriteLineAsync(_stream, command, timeout.Token);
            return await _reader.ReadLineAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The next reply line (stop's second answer); null when the launcher closed the connection or <paramref name="deadline"/> passed.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        if (_stream is DeadlineSocketStream socketStream)
        {
            // The kernel keeps the deadline; the caller prints progress meanwhile, so the blocking read goes to the pool.
            socketStream.EndBy(deadline);
            try
            {
                return await Task.Run(_reader.ReadLine, cancellationToken);
            }
            catch (IOException)
            {
                return null;
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            return await _reader.ReadLineAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _socket?.Dispose();
    }
}
