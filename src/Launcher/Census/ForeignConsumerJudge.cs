using Launcher.Kill;
using Launcher.Platform;
using Launcher.Strays;

namespace Launcher.Census;

/// <summary>
/// Decides whether a consumer the census names, and that is not ours, may be stopped. The census is one more source
/// of candidates, like a stray pattern (docs/ARCHITECTURE.md, "Ownership"): a name from a broker is a claim, so a
/// process is stopped only when the kernel backs it by the sweep's rules. It must be on this machine (its host is
/// ours and the census gives its pid), a live process the launcher may signal (<see cref="KillSafety"/>: this user,
/// never the launcher or its ancestors; another user's only when <see cref="ProvablyOurs"/>), not started after the
/// broker's last heartbeat for the node (then the pid was reused), owned by no live launcher (<see cref="Ownership"/>),
/// and a worker of this instance by what the process itself shows: the instance marker or a backed registration
/// (<see cref="WorkerFinder"/>), or the configured program as its executable (<see cref="ConfiguredProgram"/>).
/// </summary>
internal sealed class ForeignConsumerJudge(IProcessTable processes, WorkerFinder finder, ConfiguredProgram program, string instance, string host, bool noKill)
{
    /// <summary>A heartbeat carries whole seconds in some brokers; a process started within this of it may have sent it.</summary>
    private static readonly TimeSpan HeartbeatSlack = TimeSpan.FromSeconds(1);

    /// <summary>True when <paramref name="pid"/> is a live process here that runs the configured program or carries this instance's marker.</summary>
    public bool BacksAWorker(int pid)
    {
        if (processes.Get(pid) is not { IsZombie: false } process)
            return false;
        return program.IsRunBy(process) || processes.ReadMarkers(pid).Instance == instance;
    }

    public ForeignJudgement Judge(CensusEntry entry)
    {
        if (!CensusClassifier.IsThisHost(entry, host))
            return No(entry, entry.EffectiveHost is null ? "its host is unknown, so it is not known to be on this machine" : $"it runs on another host ({entry.EffectiveHost})");
        if (entry.Pid is not { } pid)
            return No(entry, "the census gives no pid, so it cannot be identified on this machine");
        if (processes.Get(pid) is not { IsZombie: false } process)
            return No(entry, $"no process {pid} runs on this machine (a container sharing this host name, or a registration the broker keeps after its worker died)");

        var snapshot = processes.Snapshot();
        if (!KillSafety.MayKill(process, processes.CurrentUserId, KillSafety.ProtectedPids(snapshot)))
        {
            return No(entry, process.UserId != processes.CurrentUserId
                ? $"pid {pid} belongs to another user (uid {process.UserId})"
                : $"pid {pid} is this launcher, one of its ancestors or init");
        }

        if (entry.Heartbeat is { } heartbeat && processes.StartTimeOf(process.Identity.StartTicks) > heartbeat + HeartbeatSlack)
            return No(entry, $"pid {pid} started after the broker last heard from {entry.Node}, so it is another process that reuses the pid");

        var unit = finder.Find().Units.FirstOrDefault(u => u.Members.Any(m => m.Identity == process.Identity));
        if (unit is null)
        {
            if (!program.IsRunBy(process))
                return No(entry, $"pid {pid} ({process.CommandText}) runs {processes.ReadExecutablePath(pid) ?? "a program that cannot be read"}, not the configured program {program.Path}, and carries no marker of instance '{instance}': not provably a stray, so it is left alone");
            var childrenOf = snapshot.ToLookup(p => p.ParentPid);
            var members = ProcessTree.Descendants(childrenOf, [pid]).Prepend(process).ToList();
            unit = new WorkerUnit($"pid:{pid}", entry.Node, process, null, members, "census", processes.ReadMarkers(pid).Guard);
        }

        if (new Ownership(processes, holder: null).OwnerOf(unit) is { } owner)
        {
            return No(entry, owner.IsSelf
                ? $"pid {pid} belongs to this launcher's own workers under another node name"
                : $"pid {pid} is supervised by another launcher, {owner.Describe()}");
        }

        if (noKill)
            return No(entry, $"pid {pid} is a stray of this instance, and --no-kill forbids stopping it");
        return new ForeignJudgement(entry, unit with { Node = unit.Node ?? entry.Node }, null);
    }

    private static ForeignJudgement No(CensusEntry entry, string why) => new(entry, null, why);
}
