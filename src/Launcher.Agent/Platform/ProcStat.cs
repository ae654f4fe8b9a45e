using System.Globalization;

namespace Launcher.Agent.Platform;

/// <summary>
/// The fields of <c>/proc/&lt;pid&gt;/stat</c> (proc(5)) that identify a process and tell whether it still runs:
/// state (field 3), parent pid (field 4) and start time in clock ticks since boot (field 22).
/// </summary>
internal readonly record struct ProcStat(char State, int ParentPid, ulong StartTicks)
{
    /// <summary>A zombie (or dead) process has exited; only its parent's wait is missing.</summary>
    public bool IsZombie => State is 'Z' or 'X' or 'x';

    /// <summary>Reads the process's stat line; null when it is gone or unreadable.</summary>
    public static ProcStat? Read(int pid)
    {
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Parses one stat line; null when it is malformed.</summary>
    public static ProcStat? Parse(string stat)
    {
        // The command name (field 2) may hold spaces and ')' itself, so fields are counted after the last ')'.
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length)
            return null;
        var afterName = stat.AsSpan(close + 2);
        Span<Range> fields = stackalloc Range[21];
        if (afterName.Split(fields, ' ') < 20)
            return null;

        return int.TryParse(afterName[fields[1]], NumberStyles.None, CultureInfo.InvariantCulture, out var parentPid)
            && ulong.TryParse(afterName[fields[19]], NumberStyles.None, CultureInfo.InvariantCulture, out var startTicks)
                ? new ProcStat(afterName[fields[0]][0], parentPid, startTicks)
                : null;
    }
}
