using System.Runtime.InteropServices;

namespace Launcher.Platform;

/// <summary>The libc calls the Linux platform layer needs; source-generated, so AOT-safe.</summary>
internal static partial class LibC
{
    public const int EINTR = 4;
    public const int ESRCH = 3;
    public const int ENOSYS = 38;
    public const int PR_SET_PDEATHSIG = 1;
    public const int PR_SET_CHILD_SUBREAPER = 36;
    public const int WNOHANG = 1;
    public const int X_OK = 1;
    public const int W_OK = 2;
    private const long SYS_pidfd_send_signal = 424;
    private const long SYS_pidfd_open = 434;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "getppid")]
    public static partial int GetParentPid();

    [LibraryImport("libc", EntryPoint = "getuid")]
    public static partial uint GetUid();

    [LibraryImport("libc", EntryPoint = "setpgid", SetLastError = true)]
    public static partial int SetProcessGroup(int pid, int pgid);

    [LibraryImport("libc", EntryPoint = "setsid", SetLastError = true)]
    public static partial int SetSid();

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, out int status, int options);

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Access(string path, int mode);

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static unsafe partial int LStat(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true)]
    public static unsafe partial int ExecVe(byte* path, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long arg1, long arg2, long arg3, long arg4);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    /// <summary><c>pidfd_open(2)</c>: a handle that keeps naming this process even if its pid is reused.</summary>
    public static int PidFdOpen(int pid) => (int)Syscall(SYS_pidfd_open, pid, 0, 0, 0);

    /// <summary><c>pidfd_send_signal(2)</c>.</summary>
    public static int PidFdSendSignal(int pidFd, int signal) => (int)Syscall(SYS_pidfd_send_signal, pidFd, signal, 0, 0);
}
