using System.Runtime.Versioning;

namespace Launcher.Platform.Windows;

/// <summary>
/// Windows containment: one job object per launcher with kill-on-close (<see cref="WorkerJob"/>). There is no exec
/// shim (Windows cannot replace a process's program), no parent-death signal, no process groups to count and no
/// zombies to reap: the job covers all of that, and needs no watchdog, since the kernel itself ends the job when the
/// launcher's last handle to it closes.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsContainment : IContainment
{
    public void PrepareLauncher() => WorkerJob.Create();

    public void PrepareWorker(int expectedParentPid)
    {
        // Never called: workers start directly and join the job from the launcher's side.
    }

    public void PrepareContainedCommand()
    {
    }

    public int CountProcessGroupMembers(int processGroup) => 0;

    public void PrepareWatchdog()
    {
    }

    public void ReapAdoptedZombies(Func<int, bool> isOwnChild)
    {
    }
}
