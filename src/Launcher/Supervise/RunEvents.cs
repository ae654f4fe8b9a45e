namespace Launcher.Supervise;

/// <summary>
/// The last <see cref="Capacity"/> facts of the run (workers started, ended and why, restarts, hangs, strays
/// killed, phase changes), kept in memory and published in the status file: facts a test can assert and a status
/// page can show, without parsing log wording. Added to from any loop; the lock keeps the ring consistent.
/// </summary>
internal sealed class RunEvents(TimeProvider time)
{
    public const int Capacity = 64;
    private readonly Queue<RunEvent> _ring = new();
    private readonly Lock _gate = new();

    /// <summary>After each <see cref="Add"/>, outside the lock, on the adding thread (systemd's STATUS= follows the workers).</summary>
    public event Action? Added;

    /// <summary>Totals the ring forgets (restarts and ends by reason, events by kind), for /metrics.</summary>
    public Observe.RunCounters Counters { get; } = new();

    public void Add(string kind, string? node = null, int? pid = null, string? detail = null)
    {
        var entry = new RunEvent(time.GetUtcNow(), kind, node, pid, detail);
        Counters.Recorded(kind);
        lock (_gate)
        {
            _ring.Enqueue(entry);
            while (_ring.Count > Capacity)
                _ring.Dequeue();
        }

        Added?.Invoke();
        Changed?.Invoke();
    }

    /// <summary>
    /// Raised after every <see cref="Add"/> and <see cref="NoteChange"/>, on the caller's thread: the status file is
    /// rewritten on these, not on a timer (issue 12). Handlers must be quick and must not throw.
    /// </summary>
    public event Action? Changed;

    /// <summary>Something the status shows changed without being an event of its own (a worker answered a ping).</summary>
    public void NoteChange() => Changed?.Invoke();

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<RunEvent> Snapshot()
    {
        lock (_gate)
            return [.. _ring];
    }
}
