namespace Launcher.Supervise;

/// <summary>
/// Trips when <c>count</c> unexpected exits fall within a sliding <c>window</c> (one per worker slot, so a
/// correlated death of all workers is not a loop; the lock keeps it safe to share anyway).
/// </summary>
internal sealed class CrashLoopDetector(TimeProvider time, int count, TimeSpan window)
{
    private readonly Queue<DateTimeOffset> _exits = new();
    private readonly Lock _gate = new();

    public int RecentExits
    {
        get
        {
            lock (_gate)
                return _exits.Count;
        }
    }

    /// <summary>How many recorded exits lie within the window now (an older one no longer counts).</summary>
    public int ExitsWithinWindow()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            return _exits.Count(exit => now - exit <= window);
        }
    }

    /// <summary>Records an exit now; true when this exit completes a crash loop.</summary>
    public bool RecordExit()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            _exits.Enqueue(now);
            while (_exits.Count > 0 && now - _exits.Peek() > window)
                _exits.Dequeue();
            return _exits.Count >= count;
        }
    }
}
