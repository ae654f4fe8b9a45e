using Launcher.Logging;
using Serilog;
using Serilog.Core;

namespace Launcher.Spawn;

/// <summary>
/// Everything one worker writes to stdout and stderr, timestamped, in <c>logs/worker_&lt;pid&gt;.log</c>
/// (Serilog.Sinks.File, rolled by size). Keeps the last few lines, each cut short, in memory for crash reports.
/// A failing sink never reaches the worker or the launcher: writes and the final flush go through
/// <see cref="SafeSink"/>, the pipe is drained either way, and the failure is reported once a minute, not per line.
/// </summary>
internal sealed class WorkerLog : IDisposable
{
    private readonly SafeSink _sink;
    private readonly Logger _logger;
    private readonly ILogger _stdout;
    private readonly ILogger _stderr;
    private readonly Queue<string> _recent = new();
    private readonly Action<string>? _echo;

    /// <param name="onWriteFailure">
    /// Told when the file cannot be written (disk full, permissions): the error and the lines lost since the last
    /// report, at most once a minute (<see cref="LogWriteFailureThrottle"/>). The worker runs on either way.
    /// </param>
    public WorkerLog(string path, long fileSizeLimitBytes, int retainedFiles, Action<string>? echo, Action<Exception, int>? onWriteFailure = null, TimeProvider? time = null)
    {
        Path = path;
        _echo = echo;
        var failures = new LogWriteFailureReporter(time ?? TimeProvider.System, onWriteFailure);
        _sink = new SafeSink(
            new LoggerConfiguration()
                .WriteTo.Fallible(
                    to => to.File(
                        path,
                        outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} {Stream:l} {Message:l}{NewLine}",
                        fileSizeLimitBytes: fileSizeLimitBytes,
                        rollOnFileSizeLimit: true,
                        retainedFileCountLimit: retainedFiles),
                    failures)
                .CreateLogger(),
            failures);
        _logger = new LoggerConfiguration().WriteTo.Sink(_sink).CreateLogger();
        _stdout = _logger.ForContext("Stream", "out");
        _stderr = _logger.ForContext("Stream", "err");
    }

    /// <summary>True once a line could not be written.</summary>
    public bool WriteFailed => _sink.Failed;

    /// <summary>The path the log was opened with; once it rolled, <see cref="CurrentPath"/> is the file being written.</summary>
    public string Path { get; }

    /// <summary>The file being written now: the newest of <see cref="Path"/> and its rolled successors.</summary>
    public string CurrentPath => LogFileSet.CurrentFile(Path);

    /// <summary>Writes one line (already cut to <see cref="OutputBounds.MaxLineChars"/> by the reader).</summary>
    public void Write(string stream, string line)
    {
        (stream == "err" ? _stderr : _stdout).Information("{Line:l}", line);
        var kept = OutputBounds.Cut(line, OutputBounds.RecentLineChars);
        lock (_recent)
        {
            _recent.Enqueue(kept);
            if (_recent.Count > OutputBounds.RecentLines)
                _recent.Dequeue();
        }

        _echo?.Invoke(line);
    }

    /// <summary>Up to <paramref name="count"/> (at most <see cref="OutputBounds.RecentLines"/>) last lines, each cut to <see cref="OutputBounds.RecentLineChars"/>.</summary>
    public IReadOnlyList<string> RecentLines(int count)
    {
        lock (_recent)
            return _recent.TakeLast(count).ToArray();
    }

    public void Dispose() => _logger.Dispose();
}
