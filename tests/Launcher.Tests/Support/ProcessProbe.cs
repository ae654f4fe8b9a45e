using System.Globalization;
using System.Text;
using Launcher.Agent.Protocol;

namespace Launcher.Tests.Support;

/// <summary>
/// Reads the Linux process table (<c>proc(5)</c>) directly, so tests check what the kernel says rather than
/// what the launcher reports. Every method tolerates a process vanishing while it is being read.
/// </summary>
internal static class ProcessProbe
{
    /// <summary>True when the process exists and is not a zombie (exited, not yet reaped) or dead.</summary>
    public static bool IsAlive(int pid) => State(pid) is { } state && state is not ('Z' or 'X' or 'x');

    /// <summary>The state letter of <c>/proc/&lt;pid&gt;/stat</c> field 3 (R, S, D, T, Z...), or null when gone.</summary>
    public static char? State(int pid) => StatFields(pid) is { } fields ? fields[0][0] : null;

    /// <summary>The parent pid (stat field 4), or null when gone.</summary>
    public static int? ParentOf(int pid) =>
        StatFields(pid) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : null;

    /// <summary>
    /// Start time in clock ticks since boot (stat field 22), or null when gone. With the pid it identifies a
    /// process: a reused pid has another start time.
    /// </summary>
    public static ulong? StartTicks(int pid) =>
        StatFields(pid) is { Length: > 19 } fields ? ulong.Parse(fields[19], CultureInfo.InvariantCulture) : null;

    /// <summary>The real user id that owns the process, or null when gone.</summary>
    public static int? UserOf(int pid)
    {
        var status = ReadText($"/proc/{pid}/status");
        if (status is null)
            return null;

        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                return fields.Length > 1 ? int.Parse(fields[1], CultureInfo.InvariantCulture) : null;
            }
        }

        return null;
    }

    /// <summary>The command line, arguments joined by spaces, or null when gone (empty for a zombie).</summary>
    public static string? CommandLine(int pid) => ReadText($"/proc/{pid}/cmdline")?.TrimEnd('\0').Replace('\0', ' ');

    /// <summary>Every pid in the process table.</summary>
    public static IReadOnlyList<int> AllPids()
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                pids.Add(pid);
        }

        return pids;
    }

    /// <summary>The live direct children of a process.</summary>
    public static IReadOnlyList<int> ChildrenOf(int pid) =>
        AllPids().Where(candidate => ParentOf(candidate) == pid && IsAlive(candidate)).ToList();

    /// <summary>The live descendants of a process (children, their children, ...), parents before children.</summary>
    public static IReadOnlyList<int> DescendantsOf(int pid)
    {
        var parents = AllPids()
            .Select(candidate => (Pid: candidate, Parent: ParentOf(candidate)))
            .Where(entry => entry.Parent is not null && IsAlive(entry.Pid))
            .ToLookup(entry => entry.Parent!.Value, entry => entry.Pid);

        var result = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.TryDequeue(out var current))
        {
            foreach (var child in parents[current])
            {
                result.Add(child);
                queue.Enqueue(child);
            }
        }

        return result;
    }

    /// <summary>
    /// Live processes of the current user whose environment carries <c>LAUNCHER_INSTANCE=&lt;instance&gt;</c>: the
    /// marker the launcher gives every worker and its descendants. Never includes this test process.
    /// </summary>
    public static IReadOnlyList<int> PidsWithMarker(string instance)
    {
        ArgumentException.ThrowIfNullOrEmpty(instance);
        var marker = Encoding.UTF8.GetBytes($"{EnvironmentNames.Instance}={instance}");
        var self = Environment.ProcessId;
        var user = (int)NativeMethods.GetUid();

        return AllPids()
            .Where(pid => pid != self && UserOf(pid) == user && HasEnvironmentEntry(pid, marker) && IsAlive(pid))
            .ToList();
    }

    /// <summary>Sends a signal with <c>kill(2)</c>; false when the process does not exist (ESRCH).</summary>
    public static bool Signal(int pid, int signal)
    {
        if (NativeMethods.Kill(pid, signal) == 0)
            return true;

        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        return errno == NativeMethods.ESRCH
            ? false
            : throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {errno}");
    }

    private static bool HasEnvironmentEntry(int pid, byte[] entry)
    {
        byte[] environ;
        try
        {
            environ = File.ReadAllBytes($"/proc/{pid}/environ");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // Entries are NUL-separated; compare whole entries so instance "t1" never matches "t12".
        var rest = environ.AsSpan();
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)0);
            var current = end < 0 ? rest : rest[..end];
            if (current.SequenceEqual(entry))
                return true;
            rest = end < 0 ? [] : rest[(end + 1)..];
        }

        return false;
    }

    /// <summary>The fields of <c>/proc/&lt;pid&gt;/stat</c> after the command name: [0] is field 3 (state).</summary>
    private static string[]? StatFields(int pid)
    {
        var stat = ReadText($"/proc/{pid}/stat");
        if (stat is null)
            return null;

        // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
        var close = stat.LastIndexOf(')');
        return close < 0 ? null : stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
