namespace Launcher.Tests.Support;

/// <summary>
/// Every process a test started or learned about, by identity (pid + start ticks), so cleanup never kills an
/// unrelated process that reused a pid. <see cref="KillAllAsync"/> also sweeps the instance's marked processes:
/// a worker the launcher started, or an orphan it left, is found even though the test never saw its pid.
/// </summary>
internal sealed class ProcessTracker
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly Lock _gate = new();
    private readonly Dictionary<int, ulong?> _tracked = [];

    /// <summary>Records a pid (with its current start ticks). A pid already gone is recorded but never killed.</summary>
    public void Track(int pid)
    {
        var startTicks = ProcessProbe.StartTicks(pid);
        lock (_gate)
            _tracked[pid] = startTicks;
    }

    /// <summary>Every pid recorded so far, alive or not.</summary>
    public IReadOnlyList<int> Tracked
    {
        get
        {
            lock (_gate)
                return [.. _tracked.Keys];
        }
    }

    /// <summary>
    /// Tracked processes still alive (same identity), plus live processes carrying <c>LAUNCHER_INSTANCE=instance</c>
    /// when an instance is given. Empty means the test left nothing behind.
    /// </summary>
    public IReadOnlyList<int> Survivors(string? instance)
    {
        var marked = instance is null ? [] : ProcessProbe.PidsWithMarker(instance);
        return TrackedAlive().Union(marked).Order().ToList();
    }

    /// <summary>
    /// SIGKILLs every survivor, again and again until none is left (a launcher may spawn while being swept;
    /// tracked pids go first, so the launcher usually dies before its workers). Returns the pids that are still
    /// alive at the deadline: empty on success.
    /// </summary>
    public async Task<IReadOnlyList<int>> KillAllAsync(string? instance, TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            var survivors = Survivors(instance);
            if (survivors.Count == 0 || DateTime.UtcNow >= until)
                return survivors;

            foreach (var pid in TrackedAlive().Concat(survivors).Distinct())
                _ = NativeMethods.Kill(pid, Signals.SIGKILL); // ESRCH (already gone) is fine here

            // SIGKILL is delivered asynchronously: wait (briefly) for the kernel before sweeping again.
            var settle = DateTime.UtcNow + TimeSpan.FromSeconds(1);
            while (survivors.Any(ProcessProbe.IsAlive) && DateTime.UtcNow < settle)
                await Task.Delay(PollInterval);
        }
    }

    /// <summary>Tracked processes that are still alive and still the same process (same start ticks).</summary>
    private List<int> TrackedAlive()
    {
        KeyValuePair<int, ulong?>[] tracked;
        lock (_gate)
            tracked = [.. _tracked];

        return tracked
            .Where(entry => entry.Value is { } ticks && ProcessProbe.StartTicks(entry.Key) == ticks && ProcessProbe.IsAlive(entry.Key))
            .Select(entry => entry.Key)
            .ToList();
    }
}
