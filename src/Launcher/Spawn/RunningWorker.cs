using Launcher.Platform;

namespace Launcher.Spawn;

/// <summary>A worker this launcher started, from spawn until its exit is observed.</summary>
internal sealed class RunningWorker(int index, ProcessIdentity identity, string node, WorkerLog log, DateTimeOffset startedAt, Task<WorkerExit> exited, Task drained)
{
    private int _endHandled;

    public int Index { get; } = index;
    public ProcessIdentity Identity { get; } = identity;
    public int Pid => Identity.Pid;
    public string Node { get; } = node;
    public WorkerLog Log { get; } = log;
    public DateTimeOffset StartedAt { get; } = startedAt;

    /// <summary>Completes when the process has exited (event driven: no polling).</summary>
    public Task<WorkerExit> Exited { get; } = exited;

    /// <summary>
    /// Completes when its stdout and stderr have closed and every line is in <see cref="Log"/> (CliWrap's own
    /// task): after <see cref="Exited"/>, and possibly much later when a grandchild still holds the pipes.
    /// </summary>
    public Task Drained { get; } = drained;

    public DateTimeOffset? LastPingAt { get; set; }

    /// <summary>True once its end was reported (registration removed, exit hook started).</summary>
    public bool EndHandled => Volatile.Read(ref _endHandled) != 0;

    /// <summary>Claims the one report of its end: true for the first caller only (slot loop and stop path race).</summary>
    public bool TryMarkEnded() => Interlocked.Exchange(ref _endHandled, 1) == 0;

    /// <summary>Waits (bounded) until its output is drained into the log; false when the pipes stayed open.</summary>
    public async Task<bool> WaitForOutputAsync(TimeSpan limit)
    {
        try
        {
            await Drained.WaitAsync(limit);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception)
        {
            // Any other exception is Drained's own fault: it has completed, so the pipes closed; how does not matter here.
            return true;
        }
    }

    public string Display => $"{Node}#{Pid}";
}
