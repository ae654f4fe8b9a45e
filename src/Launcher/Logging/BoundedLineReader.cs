using System.Runtime.CompilerServices;
using System.Text;

namespace Launcher.Logging;

/// <summary>
/// Reads text lines from a pipe without ever holding more than <see cref="OutputBounds.MaxLineChars"/> of one line:
/// a line longer than that is handed on in pieces, each but the last ending in <see cref="SplitMarker"/>.
/// <see cref="StreamReader.ReadLineAsync(CancellationToken)"/> buffers a line whole, so one worker writing 300 MB
/// without a newline took the launcher to 2.25 GB (issue 10, item 7).
/// </summary>
internal static class BoundedLineReader
{
    /// <summary>Ends every piece of a split line but its last, so a reader of the log sees that it goes on.</summary>
    public const string SplitMarker = " [line continues]";

    public static async IAsyncEnumerable<string> ReadLinesAsync(
        Stream stream,
        int maxLineChars,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineChars, 1);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        var buffer = new char[4096];
        var line = new StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c == '\n')
                {
                    line.Append(buffer, start, i - start);
                    start = i + 1;
                    yield return EndLine(line);
                }
                else if (line.Length + (i - start) >= maxLineChars)
                {
                    // This char would make the line one too long: hand on what we have, marked, and go on.
                    line.Append(buffer, start, i - start);
                    start = i;
                    yield return line.ToString() + SplitMarker;
                    line.Clear();
                }
            }

            line.Append(buffer, start, read - start);
        }

        if (line.Length > 0)
            yield return EndLine(line);
    }

    private static string EndLine(StringBuilder line)
    {
        // "\r\n" ends a line too, as StreamReader.ReadLine has it.
        if (line.Length > 0 && line[^1] == '\r')
            line.Length--;
        var text = line.ToString();
        line.Clear();
        return text;
    }
}
