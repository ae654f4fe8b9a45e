using System.Globalization;
using System.Text;

namespace Launcher.Logs;

/// <summary>
/// Reads one log file incrementally: each <see cref="ReadNew"/> returns the complete lines written since the last
/// call (a line still being written waits for its newline). Opened per read with FileShare.ReadWrite|Delete, so
/// the writer and Serilog's retention never see it held open.
/// </summary>
internal sealed class LogFileTail(LogFileName file)
{
    /// <summary>Both logs' output templates start with "yyyy-MM-dd HH:mm:ss.fff zzz" (WorkerLog, LauncherLogging).</summary>
    private const string TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff zzz";

    private static readonly int TimestampLength = "2026-01-01 00:00:00.000 +00:00".Length;

    private readonly List<byte> _partial = [];
    private long _offset;
    private DateTimeOffset _lastTimestamp = DateTimeOffset.MinValue;

    public LogFileName File => file;

    /// <summary>The complete lines added since the last call; empty when the file is gone or unchanged.</summary>
    public IReadOnlyList<LogEntry> ReadNew()
    {
        byte[] bytes;
        try
        {
            using var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length < _offset)
            {
                // Truncated or replaced under the same name: start again from its beginning.
                _offset = 0;
                _partial.Clear();
            }

            stream.Position = _offset;
            bytes = new byte[stream.Length - _offset];
            stream.ReadExactly(bytes);
            _offset += bytes.Length;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or EndOfStreamException)
        {
            return [];
        }

        var entries = new List<LogEntry>();
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != (byte)'\n')
                continue;

            _partial.AddRange(bytes.AsSpan(start, i - start));
            entries.Add(Entry(Encoding.UTF8.GetString(_partial.ToArray()).TrimEnd('\r')));
            _partial.Clear();
            start = i + 1;
        }

        _partial.AddRange(bytes.AsSpan(start));
        return entries;
    }

    private LogEntry Entry(string line)
    {
        if (line.Length >= TimestampLength
            && DateTimeOffset.TryParseExact(line.AsSpan(0, TimestampLength), TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var timestamp))
        {
            _lastTimestamp = timestamp;
        }

        return new LogEntry(_lastTimestamp, file.Node, line);
    }
}
