using Launcher.Agent.Protocol;
using Launcher.Logging;
using Launcher.Platform;
using Launcher.Spawn;
using Microsoft.Extensions.Logging;

namespace Launcher.Guard.Lease;

/// <summary>
/// The backstop of a lost lease: from the moment nothing of ours may run (<see cref="RedisLease.MustBeGone"/>),
/// every process carrying this launcher's guard value gets SIGKILL, again every 100 ms until the launcher exits,
/// so a worker that ignored SIGTERM, or one a slot was still replacing, cannot outlive the lease. The same
/// identity-checked sweep the watchdog runs when the launcher dies.
/// </summary>
internal static class FailClosedSweep
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(100);

    public static void Arm(RedisLease lease, PlatformServices platform, LauncherGuardValue guard, ILogger logger) =>
        lease.MustBeGone.Register(() => new Thread(() => Run(platform, guard.ToString(), logger))
        {
            IsBackground = true,
            Name = "lease fail-closed sweep",
        }.Start());

    private static void Run(PlatformServices platform, string guard, ILogger logger)
    {
        while (true)
        {
            var killed = Watchdog.Sweep(platform, guard, dryRun: false);
            if (killed > 0)
                Log.LeaseDeadlineKill(logger, killed);
            Thread.Sleep(Every);
        }
    }
}
