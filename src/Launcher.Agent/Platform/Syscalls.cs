using System.Runtime.InteropServices;

namespace Launcher.Agent.Platform;

/// <summary>
/// The libc calls shared by the worker agent and the launcher (the launcher's own live in its Platform/LibC):
/// source-generated, so AOT-safe.
/// </summary>
internal static partial class Syscalls
{
    public const int ENOSYS = 38;

    // The same numbers on every architecture: both calls came after the syscall tables were unified (Linux 5.1).
    private const long SYS_pidfd_send_signal = 424;
    private const long SYS_pidfd_open = 434;

    [LibraryImport("libc", EntryPoint = "getuid")]
    public static partial uint GetUid();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long arg1, long arg2, long arg3, long arg4);

    /// <summary><c>pidfd_open(2)</c>: a handle that keeps naming this process even if its pid is reused.</summary>
    public static int PidFdOpen(int pid) => (int)Syscall(SYS_pidfd_open, pid, 0, 0, 0);

    /// <summary><c>pidfd_send_signal(2)</c>.</summary>
    public static int PidFdSendSignal(int pidFd, int signal) => (int)Syscall(SYS_pidfd_send_signal, pidFd, signal, 0, 0);
}
