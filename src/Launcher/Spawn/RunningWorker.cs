using Launcher.Platform;

namespace Launcher.Spawn;

/// <summary>A worker this launcher started, from spawn until its exit is observed.</summary>
internal sealed class RunningWorker(int index, ProcessIdentity identity, string node, WorkerLog log, DateTimeOffset startedAt, Task<WorkerExit> exited, Task drained)
{
    public int Index { get; } = index;
    public ProcessIdentity Identity { get; } = identity;
    public int Pid => Identity.Pid;
    public string Node { get; } = node;
    public WorkerLog Log { get; } = log;
    public DateTimeOffset StartedAt { get; } = startedAt;

    /// <summary>When its fork returned (<see cref="TimeProvider.GetTimestamp"/>), 0 when unknown: for the restart timings.</summary>
    public long ForkTimestamp { get; init; }

    /// <summary>Completes when the process has exited (event driven: no polling).</summary>
    public Task<WorkerExit> Exited { get; } = exited;

    /// <summary>
    /// Completes when its stdout and stderr have closed and every line is in <see cref="Log"/> (CliWrap's own
    /// task): after <see cref="Exited"/>, and possibly much later when a grandchild still holds the pipes.
    /// </summary>
    public Task Drained { get; } = drained;

    // Written by the slot's loop (pings) and read by the status publisher, the metrics scrape and the control
    // socket on other threads: a DateTimeOffset? is wider than a machine word and could be read half-written, so
    // it lives in one long (UTC ticks, 0 = never answered) read and written atomically.
    private long _lastPingUtcTicks;

    public DateTimeOffset? LastPingAt
    {
        get => Interlocked.Read(ref _lastPingUtcTicks) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
        set => Interlocked.Exchange(ref _lastPingUtcTicks, value?.UtcTicks ?? 0);
    }

    public string Display => $"{Node}#{Pid}";
}
