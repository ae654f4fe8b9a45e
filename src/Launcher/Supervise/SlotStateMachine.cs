using Launcher.Logging;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// One slot's state and its one transition function (supervisord's <c>change_state</c> and
/// <c>_assertInState</c>, process-compose's process states): every move is logged with why, and an impossible
/// move throws instead of leaving the slot in a state nobody planned for.
/// </summary>
/// <remarks>
/// Written by the slot's own loop while the run supervises, and by the stop path once that loop has returned;
/// read by status publishing and the rolling restart.
/// </remarks>
internal sealed class SlotStateMachine(int index, ILogger logger)
{
    private readonly GuardedState<SlotState> _state = new(SlotState.Starting, IsAllowed);

    public SlotState Current => _state.Current;

    public static bool IsAllowed(SlotState from, SlotState to) => (from, to) switch
    {
        (SlotState.Ended, _) => false,
        (_, SlotState.Stopping) => from != SlotState.Stopping,
        (SlotState.Stopping, SlotState.Ended) => true,
        (SlotState.Starting, SlotState.Running or SlotState.BackingOff or SlotState.Ended) => true,
        (SlotState.Running, SlotState.Replacing or SlotState.BackingOff or SlotState.Ended) => true,
        (SlotState.Replacing, SlotState.Starting) => true,
        (SlotState.BackingOff, SlotState.Starting or SlotState.Ended) => true,
        _ => false,
    };

    public void MoveTo(SlotState next, string why)
    {
        var from = _state.MoveTo(next, current => $"worker slot #{index} cannot move from {current} to {next} ({why})");
        Log.SlotStateChanged(logger, index, from, next, why);
    }
}
