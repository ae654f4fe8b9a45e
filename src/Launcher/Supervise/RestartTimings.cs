namespace Launcher.Supervise;

/// <summary>
/// Where a restart's time goes, from the old worker's exit event to its replacement's fork (issue 12, part 4): the
/// slot waking up, the leftover check, the end reported (the exit hook is started, never awaited), the backoff, the
/// fork. Timestamps of the run's <see cref="TimeProvider"/>; logged at Debug (event 1100) once the replacement is
/// forked. What follows the fork (the exec shim, the real program's exec) happens in the new process:
/// <c>bench/restart-latency.sh</c> times it from outside.
/// </summary>
internal sealed record RestartTimings(long ExitEvent, long SlotWoke, long LeftoverCheckStarted, long LeftoverCheckEnded, long EndReported)
{
    public long BackoffEnded { get; init; }

    /// <summary>Milliseconds from the exit event to <paramref name="timestamp"/>.</summary>
    public double Since(TimeProvider time, long timestamp) => time.GetElapsedTime(ExitEvent, timestamp).TotalMilliseconds;

    public double LeftoverCheck(TimeProvider time) => time.GetElapsedTime(LeftoverCheckStarted, LeftoverCheckEnded).TotalMilliseconds;
}
