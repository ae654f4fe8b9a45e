using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Launcher.Platform;

/// <summary>
/// The calls of the launcher's own vfork (<see cref="LinuxVforkStart"/>) and of its exit watch (<see cref="PidfdExits"/>).
/// Everything the child calls between <c>vfork(2)</c> and <c>execve(2)</c> is <see cref="SuppressGCTransitionAttribute"/>
/// and sets no last error: a normal P/Invoke changes the calling thread's runtime state on its way in and out (and
/// may wait there for a garbage collection), and the child runs on the suspended parent thread's memory and thread
/// storage; saving errno into a thread-static may allocate. The child reads errno itself through <see cref="ErrnoLocation"/>.
/// </summary>
internal static partial class LibC
{
    public const int SIGCHLD = 17;
    public const int SIG_SETMASK = 2;
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_DIRECTORY = 0x10000;
    public const int O_CLOEXEC = 0x80000;
    public const int F_DUPFD_CLOEXEC = 1030;
    public const int F_SETFD = 2;
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const uint EPOLLIN = 1;
    public const int P_PIDFD = 3;
    public const int WEXITED = 4;
    public const int CLD_EXITED = 1;
    public const int EINTR = 4;

    // Unified syscall numbering: the same on every architecture (Linux 5.3 and later).
    private const long SYS_close_range = 436;
    private const long CLOSE_RANGE_CLOEXEC = 4;

    /// <summary>
    /// <c>vfork(2)</c>: glibc's, which keeps its return address off the stack the child then runs on. In the child it
    /// returns 0 and our memory is its memory until it execs or exits.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "vfork")]
    [SuppressGCTransition]
    public static partial int Vfork();

    [LibraryImport("libc", EntryPoint = "getpid")]
    [SuppressGCTransition]
    public static partial int ChildGetPid();

    [LibraryImport("libc", EntryPoint = "syscall")]
    [SuppressGCTransition]
    private static partial long ChildSyscall(long number, long arg1, long arg2, long arg3);

    /// <summary>
    /// <c>close_range(2)</c> with <c>CLOSE_RANGE_CLOEXEC</c> from 3 up: what the launcher itself inherited without
    /// O_CLOEXEC (an IDE's or a terminal's pipe) closes at the exec instead of reaching the worker. Linux 5.11; on an
    /// older kernel it fails and changes nothing. Through syscall(2): the glibc wrapper needs 2.34.
    /// </summary>
    public static void ChildCloseFromThreeOnExec() => _ = ChildSyscall(SYS_close_range, 3, uint.MaxValue, CLOSE_RANGE_CLOEXEC);

    [LibraryImport("libc", EntryPoint = "__errno_location")]
    [SuppressGCTransition]
    public static unsafe partial int* ErrnoLocation();

    [LibraryImport("libc", EntryPoint = "pthread_sigmask")]
    [SuppressGCTransition]
    public static unsafe partial int ThreadSignalMask(int how, ulong* set, ulong* old);

    [LibraryImport("libc", EntryPoint = "signal")]
    [SuppressGCTransition]
    public static partial nint SignalDefault(int signal, nint handler);

    [LibraryImport("libc", EntryPoint = "prctl")]
    [SuppressGCTransition]
    public static partial int ChildPrctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "getppid")]
    [SuppressGCTransition]
    public static partial int ChildGetParentPid();

    [LibraryImport("libc", EntryPoint = "setpgid")]
    [SuppressGCTransition]
    public static partial int ChildSetProcessGroup(int pid, int pgid);

    [LibraryImport("libc", EntryPoint = "dup2")]
    [SuppressGCTransition]
    public static partial int ChildDup2(int fd, int target);

    [LibraryImport("libc", EntryPoint = "fcntl")]
    [SuppressGCTransition]
    public static partial int ChildFcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "chdir")]
    [SuppressGCTransition]
    public static unsafe partial int ChildChdir(byte* path);

    [LibraryImport("libc", EntryPoint = "write")]
    [SuppressGCTransition]
    public static unsafe partial nint ChildWrite(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "execve")]
    [SuppressGCTransition]
    public static unsafe partial int ChildExecVe(byte* path, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "_exit")]
    [SuppressGCTransition]
    public static partial void ChildExit(int status);

    // The parent's side: ordinary P/Invokes (open, close and pidfd_open are the agent's Syscalls).
    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static unsafe partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static unsafe partial int EpollCtl(int epoll, int operation, int fd, byte* @event);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static unsafe partial int EpollWait(int epoll, byte* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "waitid", SetLastError = true)]
    public static unsafe partial int WaitId(int idType, int id, byte* info, int options);
}
