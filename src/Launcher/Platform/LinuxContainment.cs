using System.Runtime.Versioning;

namespace Launcher.Platform;

/// <summary>
/// Linux containment. The parent-death signal fires when the *thread* that forked the child exits
/// (prctl(2), PR_SET_PDEATHSIG), which is why every worker is forked from one long-lived spawn thread.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class LinuxContainment(IProcessTable table) : IContainment
{
    public void PrepareLauncher()
    {
        // Orphaned grandchildren (setsid + double fork) come back to us instead of init, so the tree stays ours.
        _ = LibC.Prctl(LibC.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }

    public void PrepareWorker(int expectedParentPid) => LinuxShimSteps.PrepareWorker(expectedParentPid);

    public void PrepareWatchdog() => LinuxShimSteps.PrepareWatchdog();

    public void ReapAdoptedZombies(Func<int, bool> isOwnChild)
    {
        // Only our own children (the kernel's list, not a scan of every process on the machine: issue 12), and
        // never one .NET started itself: waiting would steal the exit code Process reports. The caller runs this
        // while no start is in progress (ChildRegistry), so every child .NET forked is already known to isOwnChild.
        foreach (var pid in table.ChildPidsOf(Environment.ProcessId))
        {
            if (isOwnChild(pid) || Agent.Platform.ProcStat.Read(pid) is not { IsZombie: true })
                continue;

            // waitpid(2) on this one pid only, never -1.
            _ = LibC.WaitPid(pid, out _, LibC.WNOHANG);
        }
    }

    public void PrepareContainedCommand() => LinuxShimSteps.PrepareContainedCommand();

    public int CountProcessGroupMembers(int processGroup)
    {
        // Field 5 of /proc/<pid>/stat (the third after the command name) is the process group; see proc(5).
        var count = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var member))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Join(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields.Length > 2 && fields[2] == processGroup.ToString(System.Globalization.CultureInfo.InvariantCulture) && member != processGroup)
                    count++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return count;
    }
}
