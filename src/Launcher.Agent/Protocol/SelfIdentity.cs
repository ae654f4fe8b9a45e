using System.Runtime.InteropServices;

namespace Launcher.Agent.Protocol;

/// <summary>Facts about the current process and machine that a registration needs.</summary>
public static partial class SelfIdentity
{
    /// <summary>The real user id (<c>getuid(2)</c>); -1 where there is none.</summary>
    public static int UserId => OperatingSystem.IsWindows() ? -1 : (int)GetUid();

    /// <summary>This boot's id, or an empty string where the kernel does not publish one.</summary>
    public static string BootId { get; } = ReadBootId();

    /// <summary>The host part of node names: the full host name, as Celery and RQ use it.</summary>
    public static string HostName { get; } = System.Net.Dns.GetHostName();

    /// <summary>The default node name for a pid.</summary>
    public static string NodeName(int pid) => $"api{pid}@{HostName}";

    /// <summary>
    /// Field 22 of <c>/proc/&lt;pid&gt;/stat</c> (start time in clock ticks since boot), or null when the process is
    /// gone. With the pid and boot id it identifies a process: a reused pid has another start time.
    /// </summary>
    public static ulong? ReadStartTicks(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) may hold spaces and parentheses, so fields are counted after the last ')'.
        var afterName = stat.AsSpan(stat.LastIndexOf(')') + 2);
        Span<Range> fields = stackalloc Range[21];
        var count = afterName.Split(fields, ' ');
        return count >= 20 && ulong.TryParse(afterName[fields[19]], out var ticks) ? ticks : null;
    }

    private static string ReadBootId()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    [LibraryImport("libc", EntryPoint = "getuid")]
    private static partial uint GetUid();
}
