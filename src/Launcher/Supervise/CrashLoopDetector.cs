namespace Launcher.Supervise;

/// <summary>Trips when <c>count</c> unexpected exits fall within a sliding <c>window</c> (instance-wide).</summary>
internal sealed class CrashLoopDetector(TimeProvider time, int count, TimeSpan window)
{
    private readonly Queue<DateTimeOffset> _exits = new();

    public int RecentExits => _exits.Count;

    /// <summary>Records an exit now; true when this exit completes a crash loop.</summary>
    public bool RecordExit()
    {
        var now = time.GetUtcNow();
        _exits.Enqueue(now);
        while (_exits.Count > 0 && now - _exits.Peek() > window)
            _exits.Dequeue();
        return _exits.Count >= count;
    }
}
