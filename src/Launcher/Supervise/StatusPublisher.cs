using Launcher.Logging;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// Writes the status file `launcher status` and `launcher ping` read: the run's state, the expected worker count
/// of the effective spec, each slot's worker, and the recent run events. Called from the supervisor, housekeeping
/// and the rolling restart: one writer at a time (they share the temporary file), and a failed write never ends
/// supervision (the next round writes it again).
/// </summary>
/// <remarks>With <c>metrics.listen</c> set, each publish also hands <paramref name="board"/> an immutable snapshot for /metrics.</remarks>
internal sealed class StatusPublisher(string path, string instance, int expected, RunEvents events, ILogger logger, Observe.RunBoard? board = null)
{
    private readonly Lock _gate = new();

    /// <summary>What the census saw last (issue 11); null: no census configured.</summary>
    public Census.CensusRecord? Census { get; init; }

    public static string StateOf(RunPhase phase) => phase switch
    {
        RunPhase.Starting => "starting",
        RunPhase.Supervising => "running",
        _ => "stopping",
    };

    public void Publish(RunPhase phase, IReadOnlyList<WorkerSlot> slots)
    {
        var workers = new List<WorkerStatus>();
        foreach (var slot in slots)
        {
            if (slot.Current is { } worker)
                workers.Add(new WorkerStatus(slot.Index, worker.Node, worker.Pid, worker.StartedAt, worker.LastPingAt, worker.Log.Path, slot.Restarts));
        }

        try
        {
            lock (_gate)
            {
                board?.Publish(StateOf(phase), slots, events.Counters);
                new StatusFile(instance, Environment.ProcessId, StateOf(phase), workers, expected, events.Snapshot(), Census?.Snapshot()).Write(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.StatusNotWritten(logger, path, ex.Message);
        }
    }

    public void Remove()
    {
        lock (_gate)
            File.Delete(path);
    }
}
