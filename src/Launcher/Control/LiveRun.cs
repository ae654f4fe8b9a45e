using Launcher.Agent.Protocol;
using Launcher.Guard;
using Launcher.Supervise;
using Launcher.Verify;

namespace Launcher.Control;

/// <summary>
/// The running launcher's own view of its run, for answers that must not rediscover the world (the control socket,
/// the status page): the phase, the slots and their workers, the recent events. The supervisor attaches its state
/// once it exists; until then the run is "starting" with no workers. Read from other threads than the supervisor's:
/// each read takes a fresh snapshot of references, and a worker's fields are immutable but its last ping time.
/// </summary>
internal sealed class LiveRun(EffectiveSpec effective, RuntimePaths paths, WorkerPinger pinger)
{
    private volatile Attached? _attached;
    private HolderEntry? _holder;

    public EffectiveSpec Effective { get; } = effective;

    public WorkerPinger Pinger { get; } = pinger;

    /// <summary>This launcher as the holder file names it (written by the guard before anything else runs).</summary>
    public HolderEntry Holder => _holder ??= GuardHolder.TryRead(paths.HolderFile) is { } holder && holder.Pid == Environment.ProcessId
        ? new HolderEntry(holder.Pid, holder.StartedAt, holder.CommandLine)
        : new HolderEntry(Environment.ProcessId, DateTimeOffset.UtcNow, Environment.CommandLine);

    /// <summary>Called once by the supervisor: where its phase, slots and events can be read.</summary>
    public void Attach(Func<RunPhase> phase, Func<IReadOnlyList<WorkerSlot>> slots, RunEvents events) =>
        _attached = new Attached(phase, slots, events);

    public RunPhase Phase => _attached?.Phase() ?? RunPhase.Starting;

    /// <summary>What the census saw last (issue 11); set by the supervisor, null without <c>census.command</c>.</summary>
    public Census.CensusRecord? Census { get; set; }

    public IReadOnlyList<RunEvent> Events => _attached?.Events.Snapshot() ?? [];

    /// <summary>The slots that have a worker now, by slot index.</summary>
    public IReadOnlyList<(WorkerSlot Slot, Spawn.RunningWorker Worker)> Workers()
    {
        var result = new List<(WorkerSlot, Spawn.RunningWorker)>();
        foreach (var slot in _attached?.Slots() ?? [])
        {
            // Slots are added while starting; a copy taken during an Add may end in an empty entry.
            if (slot?.Current is { } worker)
                result.Add((slot, worker));
        }

        return result;
    }

    private sealed record Attached(Func<RunPhase> Phase, Func<IReadOnlyList<WorkerSlot>> Slots, RunEvents Events);
}
