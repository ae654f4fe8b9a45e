using System.Collections.Concurrent;

namespace Launcher.Spawn;

/// <summary>
/// Pids of children .NET itself waits for (workers, ping and hook commands, the watchdog): never reaped by hand.
/// Every start goes through <see cref="BeginStart"/> until its pid is added, so that reaping adopted zombies
/// (<see cref="WhenNoStartInProgress"/>) never runs between a fork and the moment its pid is known here: a child
/// that exits at once would otherwise be taken for an adopted zombie and its exit code stolen from .NET.
/// </summary>
internal sealed class ChildRegistry
{
    private readonly ConcurrentDictionary<int, byte> _pids = new();
    private readonly Lock _gate = new();
    private int _starting;
    private Action? _deferred;

    public void Add(int pid) => _pids[pid] = 0;

    public void Remove(int pid) => _pids.TryRemove(pid, out _);

    public bool Contains(int pid) => _pids.ContainsKey(pid);

    /// <summary>Marks a start in progress until the returned scope is disposed (after <see cref="Add"/>).</summary>
    public StartScope BeginStart()
    {
        lock (_gate)
            _starting++;
        return new StartScope(this);
    }

    /// <summary>
    /// Runs <paramref name="action"/> now when no start is in progress, else once the last one ends (on a pool
    /// thread). Starts wait while it runs, so keep it short.
    /// </summary>
    public void WhenNoStartInProgress(Action action)
    {
        lock (_gate)
        {
            if (_starting > 0)
            {
                _deferred = action;
                return;
            }

            action();
        }
    }

    private void EndStart()
    {
        Action? deferred = null;
        lock (_gate)
        {
            if (--_starting == 0)
            {
                deferred = _deferred;
                _deferred = null;
            }
        }

        if (deferred is not null)
            ThreadPool.UnsafeQueueUserWorkItem(_ => WhenNoStartInProgress(deferred), null);
    }

    /// <summary>The span of one start: from before the fork until its pid is in the registry.</summary>
    public readonly struct StartScope(ChildRegistry registry) : IDisposable
    {
        public void Dispose() => registry?.EndStart();
    }
}
