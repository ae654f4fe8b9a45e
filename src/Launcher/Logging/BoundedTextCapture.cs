using System.Buffers;
using System.Text;
using CliWrap;

namespace Launcher.Logging;

/// <summary>
/// A pipe target for a command's output (a ping command's) that keeps at most <c>maxChars</c> of it and reads the
/// rest to the end, discarding it, so the command never blocks on a full pipe and a command printing 100 MB costs
/// the launcher 64 KiB. It still answers whether <see cref="Needle"/> (the node name a ping must print) appeared
/// anywhere in the whole output, also past the kept part. Both of a command's streams may write into one capture.
/// </summary>
internal sealed class BoundedTextCapture(int maxChars, string? needle = null) : PipeTarget
{
    private readonly StringBuilder _kept = new();
    private readonly Lock _gate = new();
    private long _totalChars;
    private bool _found;

    public string? Needle { get; } = string.IsNullOrEmpty(needle) ? null : needle;

    /// <summary>True when <see cref="Needle"/> appeared in the output of any stream written into this capture.</summary>
    public bool FoundNeedle
    {
        get
        {
            lock (_gate)
                return _found;
        }
    }

    /// <summary>Characters read in all (kept or not).</summary>
    public long TotalChars
    {
        get
        {
            lock (_gate)
                return _totalChars;
        }
    }

    /// <summary>The kept output, followed by how much more there was.</summary>
    public override string ToString()
    {
        lock (_gate)
        {
            var dropped = _totalChars - _kept.Length;
            return dropped > 0 ? $"{_kept}... [{dropped} more chars discarded]" : _kept.ToString();
        }
    }

    public override async Task CopyFromAsync(Stream origin, CancellationToken cancellationToken = default)
    {
        // Pooled buffers: a ping round of ten commands reads twenty streams (issue 12: no garbage per ping).
        const int ReadSize = 4096;
        var bytes = ArrayPool<byte>.Shared.Rent(ReadSize);
        var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(ReadSize));
        var decoder = Encoding.UTF8.GetDecoder();
        // The last Needle.Length - 1 chars of this stream, so a needle split across two reads is still found.
        var carry = string.Empty;
        var atStart = true;
        try
        {
            int read;
            while ((read = await origin.ReadAsync(bytes.AsMemory(0, ReadSize), cancellationToken)) > 0)
                carry = Take(Decoded(decoder.GetChars(bytes, 0, read, chars, 0, flush: false)), carry);
            Take(Decoded(decoder.GetChars(bytes, 0, 0, chars, 0, flush: true)), carry);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }

        // A byte order mark opening the output is not text (StreamReader, which this replaced, dropped it too).
        ReadOnlySpan<char> Decoded(int count)
        {
            var text = chars.AsSpan(0, count);
            if (atStart && !text.IsEmpty)
            {
                atStart = false;
                if (text[0] == '\uFEFF')
                    text = text[1..];
            }

            return text;
        }
    }

    // Keeps what fits, looks for the needle; returns the new carry.
    private string Take(ReadOnlySpan<char> chunk, string carry)
    {
        if (chunk.IsEmpty)
            return carry;
        var found = false;
        if (Needle is not null)
        {
            var window = string.Concat(carry, chunk);
            found = window.Contains(Needle, StringComparison.Ordinal);
            carry = window.Length < Needle.Length ? window : window[^(Needle.Length - 1)..];
        }

        lock (_gate)
        {
            _found |= found;
            _totalChars += chunk.Length;
            var room = maxChars - _kept.Length;
            if (room > 0)
                _kept.Append(chunk[..Math.Min(room, chunk.Length)]);
        }

        return carry;
    }
}
