using System.Diagnostics;
using Launcher.Agent.Protocol;
using Launcher.Kill;
using Launcher.Platform;

namespace Launcher.Spawn;

/// <summary>
/// A small companion process (<c>launcher-companion __watchdog &lt;guard&gt;</c>, or <c>launcher __watchdog</c> when no
/// companion is beside the launcher) that outlives a SIGKILLed launcher just long
/// enough to kill what it left behind. It holds the read end of a pipe from the launcher; the kernel closes the
/// write end when the launcher dies by any means, the read returns end-of-file, and every process whose
/// environment carries exactly this launcher's guard value (its workers and all their descendants, even ones
/// that called setsid) gets SIGKILL. The parent-death signal alone cannot reach grandchildren.
/// </summary>
internal static class Watchdog
{
    public const string Verb = HelperVerbs.Watchdog;
    private const int MaxRounds = 50;

    /// <summary>Starts the watchdog for this launcher; dispose the returned process's stdin to release it.</summary>
    public static Process Start(LauncherGuardValue guard, string? cgroup = null)
    {
        var startInfo = new ProcessStartInfo(SelfInvocation.HelperProgram)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        foreach (var argument in SelfInvocation.HelperPrefix)
            startInfo.ArgumentList.Add(argument);
        if (SelfInvocation.Companion is not null)
            startInfo.Environment[HelperVerbs.SweeperVariable] = SelfInvocation.Program; // the companion runs our sweep
        startInfo.ArgumentList.Add(Verb);
        startInfo.ArgumentList.Add(guard.ToString());
        if (cgroup is not null)
            startInfo.ArgumentList.Add(cgroup);
        return Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the launcher watchdog");
    }

    public static int Run(string[] args, PlatformServices platform)
    {
        platform.Containment.PrepareWatchdog();
        var guard = args.Length is 2 or 3 ? args[1] : null;
        if (LauncherGuardValue.Parse(guard) is null)
        {
            Console.Error.WriteLine("launcher __watchdog: internal verb; usage: launcher __watchdog <instance:pid:ticks>");
            return 2;
        }

        // No warm-up sweep: it read every process on the machine and kept its code and garbage resident for the
        // watchdog's whole life (15 MB, issue 12). The real sweep faults its code in from the page cache (minor
        // faults, a few ms) when the launcher is gone.
        using var stdin = Console.OpenStandardInput();
        MemoryTrim.AfterStartUp();
        var buffer = new byte[64];
        while (stdin.Read(buffer) > 0)
        {
        }

        // The launcher's cgroup subtree first: the kernel ends everything in it at once, whatever its uid or marker.
        var killed = args.Length == 3 ? CgroupTree.KillAndRemove(args[2]) : 0;
        killed += Sweep(platform, guard!, dryRun: false);
        if (killed > 0)
            Console.Error.WriteLine($"launcher watchdog: launcher {guard} is gone; killed {killed} leftover worker process(es)");
        return 0;
    }

    internal static int Sweep(PlatformServices platform, string guard, bool dryRun)
    {
        var killed = 0;
        for (var round = 0; round < MaxRounds; round++)
        {
            var snapshot = platform.Processes.Snapshot();
            var protectedPids = KillSafety.ProtectedPids(snapshot);
            var found = snapshot
                .Where(p => !p.IsZombie && KillSafety.MayKill(p, platform.Processes.CurrentUserId, protectedPids))
                .Where(p => platform.Processes.ReadMarkers(p.Pid).Guard == guard)
                .ToList();
            if (found.Count == 0 || dryRun)
                return killed;
            foreach (var process in found)
            {
                if (platform.Signals.Send(process.Identity, Signal.Kill))
                    killed++;
            }

            // A process may fork between our snapshot and its kill; look again until nothing is left.
            Thread.Sleep(20);
        }

        return killed;
    }
}
