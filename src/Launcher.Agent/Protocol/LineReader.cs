using System.Text;

namespace Launcher.Agent.Protocol;

/// <summary>
/// Reads the protocol's lines (<see cref="LineFraming"/>) from one connection, in chunks, keeping what follows a line
/// for the next call. Bounded: a peer that never sends a newline costs at most <c>maxBytes</c>, then null.
/// </summary>
internal sealed class LineReader(Stream stream, int maxBytes)
{
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    /// <summary>The next line without its newline; null when the peer closed first or the line is too long.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var searched = _start;
        while (true)
        {
            if (TakeLine(ref searched, out var line) is { } done)
                return done ? line : null;
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
                return null;
            _end += read;
        }
    }

    /// <summary>
    /// <see cref="ReadLineAsync"/> with blocking reads, for a caller that should not start the thread pool for one
    /// short exchange (the launcher's `status` and `ping` commands, issue 12 part 3); the stream's read timeout bounds
    /// each read.
    /// </summary>
    public string? ReadLine()
    {
        var searched = _start;
        while (true)
        {
            if (TakeLine(ref searched, out var line) is { } done)
                return done ? line : null;
            var read = stream.Read(_buffer.AsSpan(_end));
            if (read == 0)
                return null;
            _end += read;
        }
    }

    // True with the line when the buffer holds one; false when the line is over maxBytes; null when more must be
    // read (then there is room at _end).
    private bool? TakeLine(ref int searched, out string? line)
    {
        line = null;
        var newline = Array.IndexOf(_buffer, (byte)'\n', searched, _end - searched);
        if (newline >= 0)
        {
            line = Encoding.UTF8.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
            _start = newline + 1;
            return true;
        }

        if (_end - _start > maxBytes)
            return false;
        if (_end == _buffer.Length)
            Grow();
        searched = _end; // everything before it has no newline
        return null;
    }

    // Moves the unread bytes to the front, doubling the buffer when they fill it.
    private void Grow()
    {
        var unread = _end - _start;
        var target = unread * 2 > _buffer.Length ? new byte[_buffer.Length * 2] : _buffer;
        Array.Copy(_buffer, _start, target, 0, unread);
        _buffer = target;
        _start = 0;
        _end = unread;
    }
}
