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

    /// <summary>Completes when the process has exited (event driven: no polling).</summary>
    public Task<WorkerExit> Exited { get; } = exited;

    /// <summary>
    /// Completes when its stdout and stderr have closed and every line is in <see cref="Log"/> (CliWrap's own
    /// task): after <see cref="Exited"/>, and possibly much later when a grandchild still holds the pipes.
    /// </summary>
    public Task Drained { get; } = drained;

    public DateTimeOffset? LastPingAt { get; set; }

    public string Display => $"{Node}#{Pid}";
}
