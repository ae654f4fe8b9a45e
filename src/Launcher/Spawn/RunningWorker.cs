using Launcher.Platform;

namespace Launcher.Spawn;

/// <summary>A worker this launcher started, from spawn until its exit is observed.</summary>
internal sealed class RunningWorker(int index, ProcessIdentity identity, string node, WorkerLog log, DateTimeOffset startedAt, Task<WorkerExit> exited)
{
    public int Index { get; } = index;
    public ProcessIdentity Identity { get; } = identity;
    public int Pid => Identity.Pid;
    public string Node { get; } = node;
    public WorkerLog Log { get; } = log;
    public DateTimeOffset StartedAt { get; } = startedAt;

    /// <summary>Completes when the process has exited (event driven: no polling).</summary>
    public Task<WorkerExit> Exited { get; } = exited;

    public DateTimeOffset? LastPingAt { get; set; }

    /// <summary>True once its end was reported (registration removed, exit hook started).</summary>
    public bool EndHandled { get; set; }

    public string Display => $"{Node}#{Pid}";
}
