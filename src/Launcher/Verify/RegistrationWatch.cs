using Launcher.Platform;

namespace Launcher.Verify;

/// <summary>
/// Wakes whoever waits for a worker to register (verification, a replacement's first answer) when a name appears in
/// <c>&lt;instance&gt;/workers/</c>: a worker registers by renaming its <c>&lt;pid&gt;.json</c> into place once its socket
/// listens. One inotify(7) watch (<see cref="Inotify"/>) shared by every waiter and held only while someone waits, so
/// a launcher that only supervises holds no inotify instance, and 50 replacements at once hold one, not 50. When
/// the kernel gives none, <see cref="Acquire"/> says so and the waiters pace themselves with <see cref="RetryDelay"/>.
/// </summary>
internal sealed class RegistrationWatch(string workersDir)
{
    private readonly Lock _gate = new();
    private Inotify? _inotify;
    private int _users;
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Starts (or joins) the watch; true when changes will wake <see cref="NextChange"/>. Pair with <see cref="Release"/>.</summary>
    public bool Acquire()
    {
        lock (_gate)
        {
            if (_users++ == 0)
                _inotify = Inotify.Watch(workersDir, Signal);
            return _inotify is not null;
        }
    }

    /// <summary>Leaves the watch; the last one out ends it.</summary>
    public void Release()
    {
        Inotify? ended = null;
        lock (_gate)
        {
            if (--_users == 0)
                (ended, _inotify) = (_inotify, null);
        }

        ended?.Dispose();
    }

    /// <summary>
    /// A task that completes at the first change after this call. Take it before looking at the directory, await it
    /// after: a registration that lands between the look and the wait still wakes the waiter.
    /// </summary>
    public Task NextChange()
    {
        lock (_gate)
            return _changed.Task;
    }

    private void Signal()
    {
        lock (_gate)
        {
            _changed.TrySetResult();
            _changed = NewSignal();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
