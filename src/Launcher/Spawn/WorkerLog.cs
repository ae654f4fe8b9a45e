using Serilog;
using Serilog.Core;

namespace Launcher.Spawn;

/// <summary>
/// Everything one worker writes to stdout and stderr, timestamped, in <c>logs/worker_&lt;pid&gt;.log</c>
/// (Serilog.Sinks.File, rolled by size). Keeps the last lines in memory for crash reports. A failing sink
/// never reaches the worker: Serilog swallows sink errors, and the pipe is drained either way.
/// </summary>
internal sealed class WorkerLog : IDisposable
{
    private const int RecentCapacity = 20;
    private readonly Logger _logger;
    private readonly ILogger _stdout;
    private readonly ILogger _stderr;
    private readonly Queue<string> _recent = new();
    private readonly Action<string>? _echo;

    public WorkerLog(string path, long fileSizeLimitBytes, int retainedFiles, Action<string>? echo)
    {
        Path = path;
        _echo = echo;
        _logger = new LoggerConfiguration()
            .WriteTo.File(
                path,
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} {Stream:l} {Message:l}{NewLine}",
                fileSizeLimitBytes: fileSizeLimitBytes,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: retainedFiles)
            .CreateLogger();
        _stdout = _logger.ForContext("Stream", "out");
        _stderr = _logger.ForContext("Stream", "err");
    }

    public string Path { get; }

    public void Write(string stream, string line)
    {
        (stream == "err" ? _stderr : _stdout).Information("{Line:l}", line);
        lock (_recent)
        {
            _recent.Enqueue(line);
            if (_recent.Count > RecentCapacity)
                _recent.Dequeue();
        }

        _echo?.Invoke(line);
    }

    public IReadOnlyList<string> RecentLines(int count)
    {
        lock (_recent)
            return _recent.TakeLast(count).ToArray();
    }

    public void Dispose() => _logger.Dispose();
}
