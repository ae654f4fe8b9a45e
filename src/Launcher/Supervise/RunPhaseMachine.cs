using Launcher.Logging;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// The run's phase and its one transition function, after supervisord's <c>change_state</c>: every move is logged
/// and recorded as a run event, and a move the run cannot make (back to starting, supervising after the stop)
/// throws, because it means the orchestration is wrong.
/// </summary>
/// <remarks>Written by the supervisor's task only; read from the SIGHUP handler and the housekeeping loop.</remarks>
internal sealed class RunPhaseMachine(RunEvents events, ILogger logger)
{
    private readonly GuardedState<RunPhase> _state = new(RunPhase.Starting, IsAllowed);

    public RunPhase Current => _state.Current;

    public static bool IsAllowed(RunPhase from, RunPhase to) => (from, to) switch
    {
        (RunPhase.Starting, RunPhase.Supervising) => true,
        (RunPhase.Starting, RunPhase.Stopping) => true,
        (RunPhase.Supervising, RunPhase.Stopping) => true,
        (RunPhase.Stopping, RunPhase.Stopped) => true,
        _ => false,
    };

    public void MoveTo(RunPhase next)
    {
        var from = _state.MoveTo(next, current => $"the run cannot move from {current} to {next}");
        Log.RunPhaseChanged(logger, from, next);
        events.Add(RunEventKind.Phase, detail: $"{from} to {next}");
    }
}
