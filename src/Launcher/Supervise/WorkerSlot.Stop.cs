using Launcher.Spawn;

namespace Launcher.Supervise;

/// <summary>The stop path's side of a slot: it takes over only after the slot's loop has returned.</summary>
internal sealed partial class WorkerSlot
{
    /// <summary>The stop path, once the loop has returned: Stopping, and the worker still to be killed (or null).</summary>
    public RunningWorker? BeginStop()
    {
        if (State is SlotState.Ended)
            return null;
        _state.MoveTo(SlotState.Stopping, "the launcher is stopping");
        return Current;
    }

    /// <summary>After the shared kill: waits (bounded) for the worker's exit, reports it as stopped, Ended.</summary>
    public async Task FinishStopAsync()
    {
        if (State is not SlotState.Stopping)
            return;
        if (Current is { } worker)
            Report(worker, await ExitAfterKillAsync(worker), ExitReason.Stopped);
        _state.MoveTo(SlotState.Ended, "stopped");
    }
}
