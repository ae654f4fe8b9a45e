using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Launcher.Agent.Platform;
using Launcher.Agent.Protocol;
using Launcher.Platform;
using Launcher.Spawn;

namespace Launcher.Companion;

/// <summary>
/// <c>launcher-companion __watchdog &lt;guard&gt; [cgroup]</c>: the launcher's watchdog while it waits. It holds the read
/// end of a pipe from the launcher; at end of file (the launcher died, by any means) it becomes the launcher binary's
/// own <c>__watchdog</c> with the same arguments (execveat(2) of the file it opened at start), whose sweep kills what the
/// launcher left (Spawn/Watchdog). Waiting costs this small binary's few pages instead of the whole launcher's type
/// data; the sweep, once a run's life, costs one launcher start. Should that exec fail, it still kills the run's
/// cgroup subtree, and says so.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class CompanionWatchdog
{
    private const int O_RDONLY = 0;
    private const int O_CLOEXEC = 0x80000;
    private const int EINTR = 4;

    public static int Run(string[] args)
    {
        LinuxShimSteps.PrepareWatchdog();
        var guard = args.Length is 2 or 3 ? args[1] : null;
        if (LauncherGuardValue.Parse(guard) is null)
        {
            Console.Error.WriteLine("launcher __watchdog: internal verb; usage: launcher __watchdog <instance:pid:ticks> [cgroup]");
            return 2;
        }

        // Opened while the launcher still runs: an upgrade that replaces or removes its file cannot take the sweep away.
        var sweeper = Environment.GetEnvironmentVariable(HelperVerbs.SweeperVariable);
        var sweeperFd = string.IsNullOrEmpty(sweeper) ? -1 : Syscalls.Open(sweeper, O_RDONLY | O_CLOEXEC);
        var openError = sweeperFd < 0 ? Marshal.GetLastPInvokeError() : 0;

        MemoryTrim.AfterStartUp();
        WaitForEndOfInput();

        string problem;
        if (sweeperFd >= 0)
        {
            problem = Become(sweeperFd, [sweeper!, HelperVerbs.Watchdog, .. args[1..]]);
        }
        else
        {
            problem = string.IsNullOrEmpty(sweeper)
                ? $"{HelperVerbs.SweeperVariable} is not set"
                : $"{Marshal.GetPInvokeErrorMessage(openError)} (errno {openError})";
        }

        var killed = args.Length == 3 && KillCgroup(args[2]);
        Console.Error.WriteLine(
            $"launcher watchdog: launcher {guard} is gone but its sweep could not run ({sweeper}: {problem}); "
            + (killed ? $"killed its cgroup {args[2]} only" : "nothing was killed"));
        return 1;
    }

    // read(2) on stdin until end of file or an error: nothing is ever written to the pipe.
    private static unsafe void WaitForEndOfInput()
    {
        var buffer = stackalloc byte[64];
        while (true)
        {
            var read = Read(0, buffer, 64);
            if (read > 0)
                continue;
            if (read < 0 && Marshal.GetLastPInvokeError() == EINTR)
                continue;
            return;
        }
    }

    // Only a launcher subtree (the name the launcher gives it), as Platform/CgroupTree.KillAndRemove checks too.
    private static bool KillCgroup(string path)
    {
        if (!Path.GetFileName(path).StartsWith("launcher-", StringComparison.Ordinal) || !File.Exists(Path.Join(path, "cgroup.procs")))
            return false;
        new Cgroup(path).Kill();
        return true;
    }

    private static unsafe string Become(int fd, string[] argv)
    {
        var environment = new List<string>();
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            environment.Add($"{entry.Key}={entry.Value}");

        using var argvArray = new NativeStringArray(argv);
        using var envArray = new NativeStringArray(environment);
        _ = FExecVe(fd, argvArray.Pointers, envArray.Pointers);
        var errno = Marshal.GetLastPInvokeError();
        return $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
    }

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nint count);

    // fexecve(3): execveat(2) with AT_EMPTY_PATH on the open file.
    [LibraryImport("libc", EntryPoint = "fexecve", SetLastError = true)]
    private static unsafe partial int FExecVe(int fd, byte** argv, byte** envp);
}
