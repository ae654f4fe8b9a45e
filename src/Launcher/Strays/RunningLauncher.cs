using System.Globalization;
using System.Runtime.InteropServices;
using Launcher.Agent.Protocol;
using Launcher.Guard;
using Launcher.Platform;

namespace Launcher.Strays;

/// <summary>
/// Proves that the process <c>&lt;instance&gt;.holder.json</c> names is the live launcher of this instance before
/// `launcher stop` signals it (issue 10, item 2). The file is only a claim; three facts back it: the identity
/// (pid + start ticks) is alive and ours, the executable is a launcher binary, and the kernel says that very pid
/// holds the instance lock (<c>/proc/locks</c>, proc(5): an <c>FLOCK WRITE</c> on the lock file's inode).
/// </summary>
internal static partial class RunningLauncher
{
    /// <summary>The identity to signal, or null with <paramref name="problem"/> saying why nothing may be signalled.</summary>
    public static ProcessIdentity? Verify(RuntimePaths paths, GuardHolder holder, IProcessTable processes, out string? problem)
    {
        problem = null;
        var process = processes.Get(holder.Pid);
        if (process is null || process.IsZombie || process.Identity.StartTicks != holder.StartTicks)
        {
            problem = $"pid {holder.Pid} named in {paths.HolderFile} is gone (or the pid now belongs to another process)";
            return null;
        }

        if (process.UserId != processes.CurrentUserId)
        {
            problem = $"pid {holder.Pid} named in {paths.HolderFile} belongs to uid {process.UserId}, not to you";
            return null;
        }

        var executable = processes.ReadExecutablePath(holder.Pid);
        if (!IsLauncherBinary(executable, processes))
        {
            problem = $"pid {holder.Pid} named in {paths.HolderFile} runs {executable ?? "an unreadable executable"}, not a launcher";
            return null;
        }

        if (!HoldsLock(paths.LockFile, holder.Pid))
        {
            problem = $"pid {holder.Pid} named in {paths.HolderFile} does not hold the instance lock {paths.LockFile}";
            return null;
        }

        return process.Identity;
    }

    private static bool IsLauncherBinary(string? executable, IProcessTable processes)
    {
        if (executable is null)
            return false;
        var own = processes.ReadExecutablePath(Environment.ProcessId);
        var name = Path.GetFileName(executable);
        return executable == own || name == "launcher" || (own is not null && name == Path.GetFileName(own) && name != "dotnet");
    }

    /// <summary>True when <c>/proc/locks</c> lists a write <c>flock</c> by <paramref name="pid"/> on the lock file's inode.</summary>
    public static bool HoldsLock(string lockFile, int pid)
    {
        if (!OperatingSystem.IsLinux() || InodeOf(lockFile) is not { } inode)
            return false;
        try
        {
            foreach (var line in File.ReadLines("/proc/locks"))
            {
                // "1: FLOCK  ADVISORY  WRITE 4242 fe:00:11657601 0 EOF"; a waiter's line has "->" after the number.
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

    // st_ino is the second 8-byte field on every Linux ABI (after st_dev). See stat(3type).
    private static unsafe ulong? InodeOf(string path)
    {
        var buffer = stackalloc byte[256];
        if (LStat(path, buffer) != 0)
            return null;
        return *(ulong*)(buffer + 8);
    }

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int LStat(string path, byte* buffer);
}
