using Launcher.Logging;
using Launcher.Platform;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// The run's chores while it supervises, each done when something happened and never on a timer (issue 12: an
/// instance where nothing changes costs nothing): adopted zombies are reaped when a <c>SIGCHLD</c> arrives
/// (signal(7): sent to the parent, and so to the subreaper or PID 1 that adopted an orphan, whenever a child ends;
/// a burst of them is one reap, <see cref="ReapGather"/> after the first: <see cref="GatheredChore"/>),
/// and the status file is rewritten when the run records a change (<see cref="RunEvents.Changed"/>: a worker
/// started, ended or answered a ping, a phase moved). Writes are coalesced: a burst of changes is one write of the
/// latest state, and one write runs at a time. A failed chore is logged; the next event tries again.
/// Under systemd's watchdog (and only there) a <c>heartbeat</c> round also runs every <see cref="Interval"/>: systemd
/// asks for periodic proof that the loop turns (<see cref="SupervisionHeartbeat"/>), which no event can give.
/// </summary>
internal sealed class Housekeeping(TimeProvider time, RunEvents events, Action reap, Action publish, Action? heartbeat, ILogger logger)
{
    /// <summary>The heartbeat's pace, when there is one.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>How long a reap waits for the rest of a burst of <c>SIGCHLD</c>s (ten ping commands ending together).</summary>
    public static readonly TimeSpan ReapGather = TimeSpan.FromMilliseconds(20);

    private readonly Lock _gate = new();
    private CancellationTokenSource? _stopBeating;
    private Task _beating = Task.CompletedTask;
    private IDisposable? _childSignal;
    private GatheredChore? _reaping;
    private Task _writing = Task.CompletedTask;
    private bool _writePending;
    private bool _started;

    public void Start(CancellationToken stopping)
    {
        lock (_gate)
            _started = true;
        if (heartbeat is not null)
        {
            _stopBeating = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var token = _stopBeating.Token;
            _beating = Task.Run(() => BeatAsync(heartbeat, token), CancellationToken.None);
        }

        events.Changed += OnChanged;
        // .NET reaps the children it started itself before it calls this handler; ours reaps only the adopted ones.
        var reaping = new GatheredChore(time, ReapGather, () => Run(reap));
        _reaping = reaping;
        _childSignal = ChildExitSignal.Register(reaping.Request);
        Run(reap); // an orphan that ended before the registration sent its SIGCHLD to nobody
        RequestWrite();
    }

    /// <summary>Stops reacting and waits for a write in progress (it must not overwrite "stopping" or recreate a removed file).</summary>
    public async Task StopAsync()
    {
        Task writing;
        lock (_gate)
        {
            if (!_started)
                return;
            _started = false;
            writing = _writing;
        }

        events.Changed -= OnChanged;
        _childSignal?.Dispose();
        _childSignal = null;
        _reaping?.Dispose();
        _reaping = null;
        if (_stopBeating is not null)
        {
            await _stopBeating.CancelAsync();
            await _beating;
            _stopBeating.Dispose();
            _stopBeating = null;
        }

        await writing;
    }

    private async Task BeatAsync(Action round, CancellationToken token)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(token))
                Run(round);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void OnChanged() => RequestWrite();

    private void RequestWrite()
    {
        lock (_gate)
        {
            if (!_started || _writePending)
                return;
            _writePending = true;
            _writing = _writing.ContinueWith(_ => Write(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private void Write()
    {
        lock (_gate)
        {
            _writePending = false;
            if (!_started)
                return;
        }

        Run(publish);
    }

    private void Run(Action chore)
    {
        try
        {
            chore();
        }
        catch (Exception ex)
        {
            Log.HousekeepingFailed(logger, ex.Message);
        }
    }
}
