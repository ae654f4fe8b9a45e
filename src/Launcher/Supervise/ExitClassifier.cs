namespace Launcher.Supervise;

/// <summary>The rules that turn how a worker ended into what the hook, the log and the run's exit code say.</summary>
internal static class ExitClassifier
{
    /// <summary>The reason the exit hook sees in <c>LAUNCHER_EXIT_REASON</c>.</summary>
    public static string ReasonFor(WorkerEndCause cause) => cause switch
    {
        WorkerEndCause.Exited => ExitReason.Crashed,
        WorkerEndCause.Hung or WorkerEndCause.Silent => ExitReason.Hung,
        WorkerEndCause.Stopped => ExitReason.Stopped,
        _ => throw new ArgumentOutOfRangeException(nameof(cause), cause, null),
    };

    /// <summary>A worker that is still running must be killed before its end can be reported.</summary>
    public static bool MustKill(WorkerEndCause cause) => cause is WorkerEndCause.Hung or WorkerEndCause.Silent;

    /// <summary>
    /// A crashed worker's children (and any that setsid'd away) outlive it with its node name: left alone they would
    /// count as a second worker of its slot next to the replacement.
    /// </summary>
    public static bool MayLeaveChildren(WorkerEndCause cause) => cause == WorkerEndCause.Exited;

    /// <summary>
    /// When every worker ended on its own and none is restarted (--debug, restart.enabled=false): the first one that
    /// failed makes the run fail too, so a script or a unit sees it; null when all exited 0.
    /// </summary>
    public static WorkerEnd? FirstFailure(IEnumerable<WorkerEnd?> ends) => ends.FirstOrDefault(e => e is { Exit.ExitCode: not 0 });
}
