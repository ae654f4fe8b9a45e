using Launcher.Supervise;

namespace Launcher.Observe;

/// <summary>
/// Where the supervisor publishes its <see cref="RunSnapshot"/> and scrapes read it: one reference, swapped whole
/// (a volatile write), so a scrape takes no lock the supervision loops ever take and sees a consistent run.
/// </summary>
internal sealed class RunBoard(string instance, int expected, int crashLoopLimit, TimeSpan crashLoopWindow, TimeProvider time)
{
    private volatile RunSnapshot _current = RunSnapshot.Starting;

    public string Instance { get; } = instance;

    public int Expected { get; } = expected;

    public int CrashLoopLimit { get; } = crashLoopLimit;

    public TimeSpan CrashLoopWindow { get; } = crashLoopWindow;

    public RunSnapshot Current => _current;

    /// <summary>Called by the status publisher (one writer at a time): copies what the slots show now.</summary>
    public void Publish(string state, IReadOnlyList<WorkerSlot> slots, RunCounters counters)
    {
        var copies = new List<SlotSnapshot>(slots.Count);
        foreach (var slot in slots)
        {
            var worker = slot.Current is { } current ? new WorkerSnapshot(current.Node, current.Pid, current.StartedAt, current.LastPingAt) : null;
            var end = slot.LastEnd is { } last ? new EndSnapshot(last.Worker.Node, last.Exit.ExitCode, last.Reason) : null;
            copies.Add(new SlotSnapshot(slot.Index, SlotStateName.Of(slot.State), worker, slot.Restarts, slot.RecentCrashes, end));
        }

        _current = new RunSnapshot(state, copies, counters.Snapshot(), time.GetUtcNow());
    }
}
