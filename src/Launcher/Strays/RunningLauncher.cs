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
internal static class RunningLauncher
{
    /// <summary>The identity to signal, or null with <paramref name="problem"/> saying why nothing may be signalled.</summary>
    public static ProcessIdentity? Verify(RuntimePaths paths, GuardHolder holder, PlatformServices platform, out string? problem)
    {
        var processes = platform.Processes;
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
        if (!IsLauncherBinary(executable, processes) && !IsLauncherAssembly(executable, process.CommandLine))
        {
            problem = $"pid {holder.Pid} named in {paths.HolderFile} runs {executable ?? "an unreadable executable"}, not a launcher";
            return null;
        }

        if (!HoldsLock(paths.LockFile, holder.Pid, platform))
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

    // `dotnet launcher.dll run` (an IDE's Debug build started through the dotnet host, e.g. VS Code's launch.json).
    private static bool IsLauncherAssembly(string? executable, IReadOnlyList<string> commandLine) =>
        executable is not null && Path.GetFileName(executable) == "dotnet"
        && commandLine.Count > 1 && Path.GetFileName(commandLine[1]) == "launcher.dll";

    /// <summary>True when <c>/proc/locks</c> lists a write <c>flock</c> by <paramref name="pid"/> on the lock file's inode.</summary>
    public static bool HoldsLock(string lockFile, int pid, PlatformServices platform) =>
        platform.Files.InodeOf(lockFile) is { } inode && platform.Processes.HoldsWriteFlock(pid, inode);
}
