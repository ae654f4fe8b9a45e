namespace Launcher.Supervise;

/// <summary>How bringing up a (replacement) worker went: it answered, it ended (and how), or it was never spawned.</summary>
internal readonly record struct StartOutcome(bool Answered, WorkerEndCause Cause, string? Error)
{
    public static StartOutcome Running => new(true, WorkerEndCause.Exited, null);

    public static StartOutcome Ended(WorkerEndCause cause) => new(false, cause, null);

    public static StartOutcome NotSpawned(string error) => new(false, WorkerEndCause.Exited, error);
}
