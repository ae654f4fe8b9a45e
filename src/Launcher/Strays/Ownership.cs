using Launcher.Agent.Protocol;
using Launcher.Guard;
using Launcher.Platform;

namespace Launcher.Strays;

/// <summary>The live launcher that owns a worker, described for messages.</summary>
internal sealed record LauncherOwner(int Pid, ulong StartTicks, DateTimeOffset StartedAt, string CommandLine, string? RuntimeDir)
{
    public bool IsSelf => Pid == Environment.ProcessId;

    public string Describe() =>
        $"pid {Pid} (started {StartedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}, command line: {CommandLine}, runtime dir {RuntimeDir ?? "unknown"})";
}

/// <summary>
/// The one rule status, strays and the run sweep share: a worker is owned, not stray, when its LAUNCHER_GUARD
/// names a live launcher process, or when it (its root process itself included) descends from one, or from the
/// live holder of the instance. Only a unit no live launcher owns is a stray.
/// </summary>
internal sealed class Ownership(IProcessTable processes, GuardHolder? holder)
{
    public LauncherOwner? OwnerOf(WorkerUnit unit)
    {
        if (LauncherGuardValue.Parse(unit.Guard) is { } guard
            && processes.Get(guard.Pid) is { } named
            && named.Identity.StartTicks == guard.StartTicks
            && !named.IsZombie
            && (IsHolder(named) || LauncherProcesses.IsLauncher(named, processes)))
            return Describe(named, unit);

        // Start at the root itself: a root that IS the launcher (a pattern hit on its own command line) is owned.
        ProcessInfo? owner = null;
        var seen = new HashSet<int>();
        for (var process = unit.Root is null ? null : processes.Get(unit.Root.Pid); process is not null && process.Pid > 1 && seen.Add(process.Pid);)
        {
            if (IsHolder(process) || LauncherProcesses.IsLauncher(process, processes))
            {
                owner = process;
                if (!LauncherProcesses.IsHelper(process))
                    break; // the `run` itself; a shim or watchdog hands on to the launcher above it
            }
            else if (owner is not null)
            {
                break;
            }

            process = processes.Get(process.ParentPid);
        }

        return owner is null ? null : Describe(owner, unit);
    }

    private bool IsHolder(ProcessInfo process) =>
        holder is not null && process.Pid == holder.Pid && process.Identity.StartTicks == holder.StartTicks;

    private LauncherOwner Describe(ProcessInfo launcher, WorkerUnit unit)
    {
        var runtimeDir = (unit.Root is { } root ? processes.ReadEnvironmentVariable(root.Pid, EnvironmentNames.RuntimeDir) : null)
            ?? processes.ReadEnvironmentVariable(launcher.Pid, EnvironmentNames.RuntimeDir);
        return new LauncherOwner(launcher.Pid, launcher.Identity.StartTicks, processes.StartTimeOf(launcher.Identity.StartTicks), launcher.CommandText, runtimeDir);
    }
}
