namespace Launcher.Supervise;

/// <summary>
/// A chore that many events ask for at once, done once for all of them: the first request waits
/// <c>gather</c> for the rest of its burst, requests while it waits join it, and a request while the chore
/// runs gets one more run after it (the chore may have looked before that event). One run at a time, on a timer
/// thread; the chore handles its own failures (an exception there would end the process).
/// </summary>
/// <remarks>
/// Ten ping commands ending within 30 ms are ten <c>SIGCHLD</c>s: reaping adopted zombies on each one read the
/// launcher's children ten times over (about a tenth of the launcher's CPU per <c>launcher ping</c>, issue 12).
/// </remarks>
internal sealed class GatheredChore(TimeProvider time, TimeSpan gather, Action chore) : IDisposable
{
    private readonly Lock _gate = new();
    private ChoreState _state = ChoreState.Idle;
    private ITimer? _timer;
    private bool _disposed;

    /// <summary>Asks for a run: within <c>gather</c> of now, or right after the run in progress.</summary>
    public void Request()
    {
        lock (_gate)
        {
            switch (_state)
            {
                case ChoreState.Idle when !_disposed:
                    _state = ChoreState.Gathering;
                    _timer ??= time.CreateTimer(_ => RunRounds(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _timer.Change(gather, Timeout.InfiniteTimeSpan);
                    break;
                case ChoreState.Running:
                    _state = ChoreState.RunningAskedAgain;
                    break;
                default:
                    break; // Gathering or already asked again: this request is served by the run to come.
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
            if (_state == ChoreState.Gathering)
                _state = ChoreState.Idle;
        }
    }

    private void RunRounds()
    {
        lock (_gate)
        {
            if (_state != ChoreState.Gathering)
                return;
            _state = ChoreState.Running;
        }

        var more = true;
        try
        {
            while (more)
            {
                chore();
                lock (_gate)
                {
                    more = _state == ChoreState.RunningAskedAgain && !_disposed;
                    _state = more ? ChoreState.Running : ChoreState.Idle;
                }
            }
        }
        finally
        {
            // A chore that threw must not leave every later request waiting on a run that never ends.
            if (more)
            {
                lock (_gate)
                    _state = ChoreState.Idle;
            }
        }
    }

    private enum ChoreState
    {
        Idle,
        Gathering,
        Running,
        RunningAskedAgain,
    }
}
