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
    public static ulong? ReadStartTicks(int pid) => ProcStat.Read(pid)?.StartTicks;

    /// <summary>
    /// True when the process with this pid and start ticks is running: it exists, is the same process (start
    /// ticks), and is not a zombie or dead (state Z or X in <c>/proc/&lt;pid&gt;/stat</c>) waiting to be reaped.
    /// </summary>
    public static bool IsRunning(int pid, ulong startTicks) =>
        ProcStat.Read(pid) is { } stat && stat.StartTicks == startTicks && !stat.IsZombie;

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
