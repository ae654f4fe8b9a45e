using Launcher.Spawn;

namespace Launcher.Supervise;

/// <summary>Ends worker process trees (the worker and everything it started, even what setsid'd away).</summary>
internal interface ITreeStopper
{
    /// <summary>SIGTERM, the grace period, SIGKILL: one worker's tree.</summary>
    Task StopTreeAsync(RunningWorker worker, CancellationToken cancellationToken);

    /// <summary>True when processes of this worker's node are still there (its children after a crash).</summary>
    bool HasLeftovers(RunningWorker worker);

    /// <summary>The stop: one look at the process table and one kill over every tree, in the order given.</summary>
    Task StopTreesAsync(IReadOnlyList<RunningWorker> workers);
}
