using System.Runtime.InteropServices;
using System.Text;

namespace Launcher.Platform;

/// <summary>
/// A connected <c>AF_UNIX</c> stream socket (unix(7)) used only with blocking calls and kernel timeouts
/// (<c>SO_RCVTIMEO</c>/<c>SO_SNDTIMEO</c>, socket(7)), straight through libc: the client side of the launcher's
/// control socket (Linux). <see cref="System.Net.Sockets.Socket"/>'s constructor starts .NET's socket engine, an
/// epoll thread, even for a socket only ever used blocking; for `launcher status` that thread and its set-up were
/// a sixth of what the command costs above `launcher --version` (issue 12, part 3).
/// </summary>
internal sealed unsafe partial class UnixStreamSocket : IDisposable
{
    private const int AF_UNIX = 1;
    private const int SOCK_STREAM = 1;
    private const int SOCK_CLOEXEC = 0x80000;
    private const int SOL_SOCKET = 1;
    private const int SO_RCVTIMEO = 20;
    private const int SO_SNDTIMEO = 21;
    private const int MSG_NOSIGNAL = 0x4000;
    private const int EINTR = 4;
    private const int EAGAIN = 11;

    // struct sockaddr_un: sa_family_t, then sun_path[108], which must hold the path and its NUL.
    private const int SunPathBytes = 108;

    private int _fd;

    private UnixStreamSocket(int fd) => _fd = fd;

    /// <summary>Connected to <paramref name="path"/>, or null (nobody listening, no such file, a path too long for sun_path, or a full backlog for longer than <paramref name="timeout"/>).</summary>
    public static UnixStreamSocket? Connect(string path, TimeSpan timeout)
    {
        var length = Encoding.UTF8.GetByteCount(path);
        if (length >= SunPathBytes || path.Contains('\0', StringComparison.Ordinal))
            return null;
        var fd = SocketCall(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return null;
        var socket = new UnixStreamSocket(fd);
        try
        {
            // A blocking connect(2) to a Unix socket waits only while the listener's backlog is full, at most SO_SNDTIMEO.
            socket.SetTimeout(SO_SNDTIMEO, timeout);
            Span<byte> address = stackalloc byte[sizeof(ushort) + SunPathBytes];
            address.Clear();
            MemoryMarshal.Write(address, (ushort)AF_UNIX);
            Encoding.UTF8.GetBytes(path, address[sizeof(ushort)..]);
            fixed (byte* pointer = address)
            {
                if (ConnectCall(fd, pointer, sizeof(ushort) + length + 1) != 0)
                    return null;
            }

            var connected = socket;
            socket = null;
            return connected;
        }
        finally
        {
            socket?.Dispose();
        }
    }

    /// <summary>getsockopt(2) at <c>SOL_SOCKET</c>: the bytes the kernel wrote, or -1.</summary>
    public int GetSocketOption(int name, Span<byte> value)
    {
        var length = value.Length;
        fixed (byte* pointer = value)
            return GetSockOpt(_fd, SOL_SOCKET, name, pointer, ref length) == 0 ? length : -1;
    }

    /// <summary>recv(2), waiting at most <paramref name="timeout"/>: the bytes read, 0 when the peer closed; <see cref="IOException"/> on a timeout or an error.</summary>
    public int Receive(Span<byte> buffer, TimeSpan timeout)
    {
        SetTimeout(SO_RCVTIMEO, timeout);
        fixed (byte* pointer = buffer)
        {
            while (true)
            {
                var read = Recv(_fd, pointer, (nuint)buffer.Length, 0);
                if (read >= 0)
                    return (int)read;
                Fail("recv");
            }
        }
    }

    /// <summary>send(2) of all of <paramref name="data"/>, each call waiting at most <paramref name="timeout"/>; <see cref="IOException"/> on a timeout or an error.</summary>
    public void Send(ReadOnlySpan<byte> data, TimeSpan timeout)
    {
        SetTimeout(SO_SNDTIMEO, timeout);
        fixed (byte* pointer = data)
        {
            var sent = 0;
            while (sent < data.Length)
            {
                // MSG_NOSIGNAL: a launcher that hung up is an IOException here, never a SIGPIPE.
                var written = SendCall(_fd, pointer + sent, (nuint)(data.Length - sent), MSG_NOSIGNAL);
                if (written >= 0)
                    sent += (int)written;
                else
                    Fail("send");
            }
        }
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        // close(2) releases the descriptor on Linux even when it reports an error; there is nothing to do about one.
        if (fd >= 0)
            _ = Agent.Platform.Syscalls.Close(fd);
    }

    // Returns (to retry) only for EINTR; throws for a timeout (EAGAIN with SO_RCVTIMEO/SO_SNDTIMEO) and anything else.
    private static void Fail(string call)
    {
        var errno = Marshal.GetLastPInvokeError();
        if (errno == EINTR)
            return;
        throw new IOException(errno == EAGAIN ? $"{call}: the control socket's deadline passed" : $"{call} on the control socket failed: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    // struct timeval on the 64-bit Linux the launcher is built for: tv_sec, tv_usec as longs. At least 1 µs: zero means "forever".
    private void SetTimeout(int option, TimeSpan timeout)
    {
        var microseconds = Math.Max(1, (long)(timeout.Ticks / TimeSpan.TicksPerMicrosecond));
        Span<long> timeval = [microseconds / 1_000_000, microseconds % 1_000_000];
        fixed (long* pointer = timeval)
        {
            if (SetSockOpt(_fd, SOL_SOCKET, option, pointer, sizeof(long) * 2) != 0)
                throw new IOException($"setsockopt on the control socket failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int SocketCall(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    private static partial int ConnectCall(int fd, byte* address, int addressLength);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static partial int GetSockOpt(int fd, int level, int name, byte* value, ref int length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint SendCall(int fd, byte* buffer, nuint length, int flags);
}
