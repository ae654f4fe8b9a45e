using System.Globalization;
using System.Runtime.Versioning;
using Launcher.Agent.Platform;
using Launcher.Agent.Protocol;

namespace Launcher.Platform;

/// <summary>The process table read straight from <c>/proc</c> (proc(5)); no <c>ps</c> parsing.</summary>
[SupportedOSPlatform("linux")]
internal sealed class LinuxProcessTable : IProcessTable
{
    private static readonly long ClockTicksPerSecond = 100; // USER_HZ, fixed at 100 on every Linux ABI
    private static readonly Lazy<bool> ChildrenFilesExist = new(() => File.Exists($"/proc/self/task/{Environment.ProcessId}/children"));
    private readonly Lazy<DateTimeOffset> _bootTime = new(ReadBootTime);

    public int CurrentUserId { get; } = CurrentUser.Id;

    public IReadOnlyList<ProcessInfo> Snapshot()
    {
        var rows = new List<ProcessInfo>(256);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory.AsSpan()), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Get(pid) is { } row)
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    // The kernel lists each thread's children in /proc/<pid>/task/<tid>/children (proc(5), CONFIG_PROC_CHILDREN):
    // walking our own tree this way costs the size of the tree, not of the machine (issue 12). Without that file
    // (an old or trimmed kernel) the whole table is read instead.
    public IReadOnlyList<int> ChildPidsOf(int pid)
    {
        if (!ChildrenFilesExist.Value)
            return [.. Snapshot().Where(p => p.ParentPid == pid).Select(p => p.Pid)];

        var pids = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                var children = TryRead(task + "/children");
                if (children is null)
                    continue;
                foreach (var field in children.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var child))
                        pids.Add(child);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The process is gone (or not ours to read): it has no children we can see.
        }

        return pids;
    }

    public IReadOnlyList<ProcessInfo> DescendantsOf(int pid)
    {
        if (!ChildrenFilesExist.Value)
            return [.. ProcessTree.Descendants(Snapshot().ToLookup(p => p.ParentPid), [pid])];

        var found = new List<ProcessInfo>();
        var seen = new HashSet<int> { pid };
        var queue = new Queue<int>([pid]);
        while (queue.TryDequeue(out var parent))
        {
            foreach (var child in ChildPidsOf(parent))
            {
                if (seen.Add(child) && Get(child) is { } row)
                {
                    found.Add(row);
                    queue.Enqueue(child);
                }
            }
        }

        return found;
    }

    public ProcessInfo? Get(int pid)
    {
        var status = TryRead($"/proc/{pid}/status");
        if (status is null || ProcStat.Read(pid) is not { } stat)
            return null;

        var commandLine = TryRead($"/proc/{pid}/cmdline") ?? "";
        return new ProcessInfo(
            new ProcessIdentity(pid, stat.StartTicks),
            stat.ParentPid,
            ParseRealUid(status),
            stat.State,
            commandLine.Split('\0', StringSplitOptions.RemoveEmptyEntries));
    }

    public ulong? ReadStartTicks(int pid) => ProcStat.Read(pid)?.StartTicks;

    public string? ReadEnvironmentVariable(int pid, string name)
    {
        var environ = TryRead($"/proc/{pid}/environ");
        return environ is null ? null : FindVariable(environ, name);
    }

    public ProcessMarkers ReadMarkers(int pid)
    {
        var environ = TryRead($"/proc/{pid}/environ");
        if (environ is null)
            return ProcessMarkers.None;
        return new ProcessMarkers(
            FindVariable(environ, EnvironmentNames.Instance),
            FindVariable(environ, EnvironmentNames.Node),
            FindVariable(environ, EnvironmentNames.Guard),
            FindVariable(environ, ProcessMarkers.RoleVariable));
    }

    public DateTimeOffset StartTimeOf(ulong startTicks) =>
        _bootTime.Value.AddSeconds((double)startTicks / ClockTicksPerSecond);

    public bool IsAlive(ProcessIdentity identity) =>
        ProcStat.Read(identity.Pid) is { } stat && stat.StartTicks == identity.StartTicks && !stat.IsZombie;

    public string? ReadExecutablePath(int pid)
    {
        try
        {
            // /proc/<pid>/exe is a symlink to the program; once the file is deleted, readlink(2) appends " (deleted)".
            var target = File.ResolveLinkTarget($"/proc/{pid}/exe", returnFinalTarget: false)?.FullName;
            if (target is null)
                return null;
            const string Deleted = " (deleted)";
            if (target.EndsWith(Deleted, StringComparison.Ordinal))
                target = target[..^Deleted.Length];
            return Path.GetFullPath(File.ResolveLinkTarget(target, returnFinalTarget: true)?.FullName ?? target);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // another user's process, or gone
        }
    }

    public string? ReadWorkingDirectory(int pid)
    {
        try
        {
            return File.ResolveLinkTarget($"/proc/{pid}/cwd", returnFinalTarget: false)?.FullName;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // another user's process, or gone
        }
    }

    public bool HoldsWriteFlock(int pid, ulong inode)
    {
        try
        {
            // proc(5), /proc/locks: "1: FLOCK  ADVISORY  WRITE 4242 fe:00:11657601 0 EOF"; a waiter's line has "->"
            // after the number.
            foreach (var line in File.ReadLines("/proc/locks"))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 6 || fields[1] != "FLOCK" || fields[3] != "WRITE")
                    continue;
                var device = fields[5].Split(':');
                if (device.Length == 3
                    && fields[4] == pid.ToString(CultureInfo.InvariantCulture)
                    && ulong.TryParse(device[2], NumberStyles.None, CultureInfo.InvariantCulture, out var lockedInode)
                    && lockedInode == inode)
                    return true;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        return false;
    }

    private static string? FindVariable(string environ, string name)
    {
        foreach (var entry in environ.Split('\0'))
        {
            if (entry.Length > name.Length && entry[name.Length] == '=' && entry.StartsWith(name, StringComparison.Ordinal))
                return entry[(name.Length + 1)..];
        }

        return null;
    }

    private static int ParseRealUid(string status)
    {
        foreach (var line in status.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith("Uid:"))
                continue;
            var rest = line[4..].TrimStart();
            var end = rest.IndexOfAny(' ', '\t');
            return int.Parse(end < 0 ? rest : rest[..end], CultureInfo.InvariantCulture);
        }

        return -1;
    }

    private static DateTimeOffset ReadBootTime()
    {
        foreach (var line in File.ReadLines("/proc/stat"))
        {
            if (line.StartsWith("btime ", StringComparison.Ordinal))
                return DateTimeOffset.FromUnixTimeSeconds(long.Parse(line.AsSpan(6), CultureInfo.InvariantCulture));
        }

        return DateTimeOffset.UnixEpoch;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The process exited between listing and reading, or belongs to someone we may not inspect.
            return null;
        }
    }
}
