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

    /// <summary><c>open(2)</c>: a file descriptor, or -1 with the errno in <see cref="Marshal.GetLastPInvokeError"/>.</summary>
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    /// <summary>
    /// <c>lstat(2)</c> of <paramref name="path"/> itself (a final symlink is not followed): its <c>st_mode</c> and
    /// <c>st_ino</c>. 0, or -1 with the errno in <see cref="Marshal.GetLastPInvokeError"/>.
    /// </summary>
    public static unsafe int LStat(string path, out int mode, out ulong inode)
    {
        var buffer = stackalloc byte[256];
        var result = NativeLStat(path, buffer);
        if (result != 0)
        {
            mode = 0;
            inode = 0;
            return result;
        }

        // st_ino is the second 8-byte field on every Linux ABI (after st_dev). st_mode: x86-64 puts it after st_dev,
        // st_ino and an 8-byte st_nlink (offset 24); the generic layout (arm64, riscv64) after st_dev and st_ino
        // (offset 16). See stat(3type) and the kernel's asm/stat.h.
        inode = *(ulong*)(buffer + 8);
        mode = *(int*)(buffer + (RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16));
        return 0;
    }

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int NativeLStat(string path, byte* buffer);

    /// <summary><c>pidfd_send_signal(2)</c>.</summary>
    public static int PidFdSendSignal(int pidFd, int signal) => (int)Syscall(SYS_pidfd_send_signal, pidFd, signal, 0, 0);
}
