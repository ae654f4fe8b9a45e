using Launcher.Logging;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// SIGHUP's rolling restart: each slot's worker is replaced in turn, the next only once the previous replacement
/// answers, so never fewer than N-1 nor more than N workers run. A replacement that does not come up (a broken new
/// version) ends the round there, leaving the others on the version that works. A second SIGHUP waits for the
/// round in progress, so it is still one worker at a time.
/// </summary>
internal sealed class RollingRestart(IReadOnlyList<WorkerSlot> slots, Action afterRound, ILogger logger)
{
    private readonly Lock _gate = new();
    private Task _rounds = Task.CompletedTask;

    /// <summary>Queues one round after the ones already queued; the returned task completes when it is done.</summary>
    public Task QueueRound(CancellationToken stopping)
    {
        lock (_gate)
            return _rounds = AfterAsync(_rounds, stopping);

        async Task AfterAsync(Task previous, CancellationToken cancellationToken)
        {
            await previous;
            await RoundAsync(cancellationToken);
        }
    }

    private async Task RoundAsync(CancellationToken stopping)
    {
        Log.RollingRestart(logger, slots.Count);
        try
        {
            foreach (var slot in slots)
            {
                // A slot that ended has nothing to replace; one backing off will start the new version anyway
                // and then be replaced once more, as before.
                if (slot.State is SlotState.Ended or SlotState.Stopping)
                    continue;
                if (!await slot.RequestReplacementAsync().WaitAsync(stopping))
                {
                    Log.RollingRestartHalted(logger, slot.Index);
                    break;
                }
            }

            afterRound();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }
}
