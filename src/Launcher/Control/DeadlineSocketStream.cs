using System.Net.Sockets;

namespace Launcher.Control;

/// <summary>
/// A connected socket as a stream whose blocking reads and writes all end by one deadline: before each call the
/// socket's timeout (<c>SO_RCVTIMEO</c>/<c>SO_SNDTIMEO</c>, socket(7)) is set to what is left of it, so a reply that
/// comes in several chunks gets the deadline once, not once per chunk. No timer and no thread: the kernel waits
/// (issue 12, part 3). The async calls (stop's wait for its second line) are the socket's own, without the deadline.
/// The socket stays its owner's.
/// </summary>
internal sealed class DeadlineSocketStream(Socket socket) : Stream
{
    private long _deadline = long.MaxValue;

    /// <summary>Every following blocking call ends within <paramref name="timeout"/> from now.</summary>
    public void EndBy(TimeSpan timeout) => _deadline = Environment.TickCount64 + (long)Math.Ceiling(timeout.TotalMilliseconds);

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        socket.ReceiveTimeout = Remaining();
        return socket.Receive(buffer, SocketFlags.None);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            socket.SendTimeout = Remaining();
            buffer = buffer[socket.Send(buffer, SocketFlags.None)..];
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
            buffer = buffer[await socket.SendAsync(buffer, SocketFlags.None, cancellationToken)..];
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    // In milliseconds, at least 1: a socket timeout of 0 means "wait forever".
    private int Remaining()
    {
        var left = _deadline - Environment.TickCount64;
        if (left <= 0)
            throw new SocketException((int)SocketError.TimedOut);
        return (int)Math.Min(left, int.MaxValue);
    }
}
