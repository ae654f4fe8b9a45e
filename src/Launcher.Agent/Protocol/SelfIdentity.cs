using Launcher.Agent.Platform;

namespace Launcher.Agent.Protocol;

/// <summary>Facts about the current process and machine that a registration needs.</summary>
internal static class SelfIdentity
{
    /// <summary>The real user id (<c>getuid(2)</c>); -1 where there is none.</summary>
    public static int UserId => CurrentUser.Id;

    /// <summary>This boot's id, or an empty string where the kernel does not publish one.</summary>
    public static string BootId { get; } = BootIdentity.Read();

    /// <summary>The host part of node names: the full host name, as Celery and RQ use it.</summary>
    public static string HostName { get; } = System.Net.Dns.GetHostName();

    /// <summary>The default node name for a pid.</summary>
    public static string NodeName(int pid) => $"api{pid}@{HostName}";

    /// <summary>
    /// The process's start time in clock ticks since boot (on Windows its creation time), or null when it is gone. With the pid and boot id it
    /// identifies a process: a reused pid has another start time.
    /// </summary>
    public static ulong? ReadStartTicks(int pid) =>
        OperatingSystem.IsWindows() ? WindowsProcesses.ReadCreationTime(pid) : ProcStat.Read(pid)?.StartTicks;

    /// <summary>
    /// True when the process with this pid and start ticks is running: it exists, is the same process (start
    /// ticks), and is not a zombie or dead, waiting to be reaped.
    /// </summary>
    public static bool IsRunning(int pid, ulong startTicks) => OperatingSystem.IsWindows()
        ? WindowsProcesses.IsRunning(pid, startTicks)
        : ProcStat.Read(pid) is { } stat && stat.StartTicks == startTicks && !stat.IsZombie;
}
