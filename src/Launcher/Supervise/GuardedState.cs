namespace Launcher.Supervise;

/// <summary>
/// A state and the rule for leaving it: <see cref="MoveTo"/> takes a move only if <c>isAllowed(from, to)</c> says
/// so and throws otherwise, atomically, so two threads can never both leave the same state. The run's phase and
/// each slot's state are built on it; they add the logging and the events.
/// </summary>
internal sealed class GuardedState<TState>(TState initial, Func<TState, TState, bool> isAllowed)
    where TState : struct, Enum
{
    private readonly Lock _gate = new();
    private TState _current = initial;

    public TState Current
    {
        get
        {
            lock (_gate)
                return _current;
        }
    }

    /// <summary>Moves to <paramref name="next"/> and returns the state it left; throws with <paramref name="refusal"/>(from) when the move is not allowed.</summary>
    public TState MoveTo(TState next, Func<TState, string> refusal)
    {
        lock (_gate)
        {
            var from = _current;
            if (!isAllowed(from, next))
                throw new InvalidOperationException(refusal(from));
            _current = next;
            return from;
        }
    }
}
