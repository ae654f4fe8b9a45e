using System.Net.Sockets;
using System.Text;
using Launcher.Agent.Protocol;
using Launcher.Verify;

namespace Launcher.Control;

/// <summary>
/// One ping of every worker that speaks the socket protocol, from one thread (Unix): up to <c>maxParallel</c> pings
/// outstanding at a time, each a non-blocking connect and <c>ping\n</c>, then poll(2) over all of them for the
/// replies, each within its own <c>timeout</c> from when it was sent. The workers answer side by side; the launcher
/// wakes once per reply instead of hopping through its socket engine and thread pool per ping (issue 12, part 3).
/// The verdicts are <see cref="WorkerPinger"/>'s (<see cref="WorkerPinger.OutcomeOf"/>).
/// </summary>
internal static class SocketPingRound
{
    // A reply is one short JSON object (as PingClient reads it): a peer streaming without a newline is no answer.
    private const int MaxReplyBytes = 64 * 1024;

    // The longest single wait, so that a cancelled round ends soon.
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(100);

    private static readonly byte[] Request = Encoding.UTF8.GetBytes("ping\n");

    /// <summary>The outcome of pinging <paramref name="targets"/> (socket path, pid), in their order.</summary>
    public static PingOutcome[] Run(IReadOnlyList<(string Socket, int Pid)> targets, int maxParallel, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var outcomes = new PingOutcome?[targets.Count];
        var pending = new List<Pending>(maxParallel);
        var next = 0;
        try
        {
            while (next < targets.Count || pending.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                while (pending.Count < maxParallel && next < targets.Count)
                {
                    var index = next++;
                    if (Send(targets[index].Socket, timeout, out var unreachable) is { } started)
                        pending.Add(started with { Index = index });
                    else
                        outcomes[index] = unreachable ?? WorkerPinger.OutcomeOf(null, targets[index].Pid);
                }

                if (pending.Count == 0)
                    continue;
                var now = Environment.TickCount64;
                var wait = Math.Clamp(pending.Min(p => p.Deadline) - now, 0, (long)PollSlice.TotalMilliseconds);
                var readable = pending.Select(p => p.Socket).ToList();
                Socket.Select(readable, null, null, (int)wait * 1000);
                now = Environment.TickCount64;
                for (var i = pending.Count - 1; i >= 0; i--)
                {
                    var ping = pending[i];
                    string? line = null;
                    var done = readable.Contains(ping.Socket) && Receive(ping, out line);
                    if (!done && now < ping.Deadline)
                        continue;
                    outcomes[ping.Index] = WorkerPinger.OutcomeOf(PingClient.ParseReply(line), targets[ping.Index].Pid);
                    ping.Socket.Dispose();
                    pending.RemoveAt(i);
                }
            }
        }
        finally
        {
            foreach (var ping in pending)
                ping.Socket.Dispose();
        }

        return [.. outcomes.Select(o => o!)];
    }

    // Connected and asked, or null when the worker cannot be reached now: no socket, nobody listening, a path too long
    // for sun_path (unix(7)), or a backlog so full that connect(2) would block (a worker that has not accepted its
    // last connections is not answering; waiting for it here would hold up the others).
    private static Pending? Send(string path, TimeSpan timeout, out PingOutcome? unreachable)
    {
        unreachable = null;
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false };
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            // Five bytes into the empty buffer of a new connection: never short, never blocking.
            if (socket.Send(Request, SocketFlags.None) != Request.Length)
                throw new SocketException((int)SocketError.WouldBlock);
            var started = new Pending(socket, Environment.TickCount64 + (long)Math.Ceiling(timeout.TotalMilliseconds), new MemoryStream());
            socket = null!;
            return started;
        }
        catch (SocketException)
        {
            return null;
        }
        catch (ArgumentException ex)
        {
            unreachable = PingOutcome.UnusableSocket(ex);
            return null;
        }
        finally
        {
            socket?.Dispose();
        }
    }

    // Reads what is there; true when the exchange is over (a whole line in <paramref name="line"/>, or the peer closed
    // or sent too much: null).
    private static bool Receive(Pending ping, out string? line)
    {
        line = null;
        Span<byte> chunk = stackalloc byte[4096];
        try
        {
            var read = ping.Socket.Receive(chunk, SocketFlags.None);
            if (read == 0)
                return true;
            ping.Reply.Write(chunk[..read]);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }

        var received = ping.Reply.GetBuffer().AsSpan(0, (int)ping.Reply.Length);
        if (received.IndexOf((byte)'\n') is var newline and >= 0)
        {
            line = Encoding.UTF8.GetString(received[..newline]).TrimEnd('\r');
            return true;
        }

        return received.Length > MaxReplyBytes;
    }

    private sealed record Pending(Socket Socket, long Deadline, MemoryStream Reply)
    {
        public int Index { get; init; }
    }
}
