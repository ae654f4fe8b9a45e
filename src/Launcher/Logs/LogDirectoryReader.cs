namespace Launcher.Logs;

/// <summary>
/// All launcher and worker logs of one log directory, read together: first what is there (merged in time order),
/// then, when following, what is added, including the files of workers spawned later and files rolled by size.
/// </summary>
internal sealed class LogDirectoryReader(string logDir, Func<LogFileName, bool> include)
{
    private readonly Dictionary<string, LogFileTail> _tails = new(StringComparer.Ordinal);

    /// <summary>The nodes of every file seen so far.</summary>
    public IEnumerable<string> Nodes => _tails.Values.Select(tail => tail.File.Node).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// Every complete line added since the last call (on the first call: all lines), from files that are new or grew,
    /// in time order. Lines with the same time keep their file's order (a stable sort), and files of one node are read
    /// in roll order.
    /// </summary>
    public IReadOnlyList<LogEntry> ReadNew()
    {
        Discover();
        var entries = new List<LogEntry>();
        foreach (var tail in _tails.Values.OrderBy(tail => tail.File.Pid).ThenBy(tail => tail.File.Sequence))
            entries.AddRange(tail.ReadNew());

        return [.. entries.OrderBy(entry => entry.Timestamp)];
    }

    private void Discover()
    {
        if (!Directory.Exists(logDir))
            return;

        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(logDir, "*.log"))
        {
            present.Add(path);
            if (_tails.ContainsKey(path) || LogFileName.TryParse(path) is not { } file || !include(file))
                continue;
            _tails[path] = new LogFileTail(file);
        }

        // Deleted by Serilog's retention: forget them (a new file of the same name is read from its start).
        foreach (var gone in _tails.Keys.Where(path => !present.Contains(path)).ToList())
            _tails.Remove(gone);
    }
}
