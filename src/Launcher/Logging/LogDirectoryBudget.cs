using System.Globalization;
using System.Text.RegularExpressions;

namespace Launcher.Logging;

/// <summary>
/// Keeps a log directory under <c>logDirMaxBytes</c> (issue 10): every worker pid gets its own log, so without a cap
/// the files of dead workers pile up for ever. Over the cap it deletes, oldest first, the files of workers whose pid
/// no longer runs, then the rolled (not current) files of everything; it never deletes the file a running worker (or
/// the launcher) is writing now. A pid that runs counts as running even if reused: that only keeps a file longer.
/// </summary>
internal static partial class LogDirectoryBudget
{
    /// <summary>Deletes files until the directory holds at most <paramref name="maxBytes"/>; returns (files, bytes) deleted.</summary>
    public static (int Files, long Bytes) Enforce(string logDir, long maxBytes, Func<int, bool> isRunning)
    {
        List<LogFileFacts> files;
        try
        {
            files = Scan(logDir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (0, 0);
        }

        var total = files.Sum(f => f.Bytes);
        if (total <= maxBytes)
            return (0, 0);

        // The newest file of each set is its current one.
        var current = files.GroupBy(f => f.SetPath)
            .Select(set => set.MaxBy(f => f.Sequence)!.Path)
            .ToHashSet(StringComparer.Ordinal);
        var candidates = files
            .Where(f => !(current.Contains(f.Path) && (f.Pid is null ? f.IsLauncher : isRunning(f.Pid.Value))))
            .Where(f => f.Pid is not null || f.IsLauncher)
            .OrderBy(f => f.Pid is { } pid && !isRunning(pid) ? 0 : 1) // dead workers' files first
            .ThenBy(f => f.LastWrite)
            .ToList();

        var (deleted, freed) = (0, 0L);
        foreach (var file in candidates)
        {
            if (total <= maxBytes)
                break;
            try
            {
                File.Delete(file.Path);
                total -= file.Bytes;
                deleted++;
                freed += file.Bytes;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone already, or not ours to delete: the next one.
            }
        }

        return (deleted, freed);
    }

    private static List<LogFileFacts> Scan(string logDir)
    {
        var files = new List<LogFileFacts>();
        foreach (var info in new DirectoryInfo(logDir).EnumerateFiles("*.log"))
        {
            var match = LogName().Match(info.Name);
            if (!match.Success)
                continue;
            var sequence = match.Groups["seq"].Success ? int.Parse(match.Groups["seq"].ValueSpan, CultureInfo.InvariantCulture) : 0;
            int? pid = match.Groups["pid"].Success ? int.Parse(match.Groups["pid"].ValueSpan, CultureInfo.InvariantCulture) : null;
            var setName = match.Groups["set"].Value + ".log";
            files.Add(new LogFileFacts(info.FullName, Path.Join(logDir, setName), sequence, pid, pid is null, info.Length, info.LastWriteTimeUtc));
        }

        return files;
    }

    // worker_<pid>.log, worker_<pid>_001.log, launcher.log, launcher_001.log: the names WorkerLog and LauncherLogging write.
    [GeneratedRegex(@"^(?<set>worker_(?<pid>\d{1,9})|launcher)(_(?<seq>\d{3,9}))?\.log$", RegexOptions.CultureInvariant)]
    private static partial Regex LogName();

    private sealed record LogFileFacts(string Path, string SetPath, int Sequence, int? Pid, bool IsLauncher, long Bytes, DateTime LastWrite);
}
