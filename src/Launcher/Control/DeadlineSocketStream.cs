using Launcher.Platform;

namespace Launcher.Control;

/// <summary>
/// The control socket as a stream whose blocking reads and writes all end by one deadline: each call waits at most
/// what is left of it (<see cref="UnixStreamSocket"/> sets <c>SO_RCVTIMEO</c>/<c>SO_SNDTIMEO</c>, socket(7)), so a
/// reply that comes in several chunks gets the deadline once, not once per chunk; past it, <see cref="IOException"/>.
/// No timer and no thread: the kernel waits (issue 12, part 3). The socket stays its owner's.
/// </summary>
internal sealed class DeadlineSocketStream(UnixStreamSocket socket) : Stream
{
    private long _deadline = long.MaxValue;

    /// <summary>Every following call ends within <paramref name="timeout"/> from now.</summary>
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

    public override int Read(Span<byte> buffer) => socket.Receive(buffer, Remaining());

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => socket.Send(buffer, Remaining());

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private TimeSpan Remaining()
    {
        var left = _deadline - Environment.TickCount64;
        if (left <= 0)
            throw new IOException("the control socket's deadline passed");
        return TimeSpan.FromMilliseconds(left);
    }
}
