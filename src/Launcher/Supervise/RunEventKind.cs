namespace Launcher.Supervise;

/// <summary>The kinds of <see cref="RunEvent"/>: stable names that tests and a status page may match on.</summary>
internal static class RunEventKind
{
    public const string Phase = "phase";
    public const string WorkerStarted = "worker-started";
    public const string WorkerRestarted = "worker-restarted";
    public const string WorkerHung = "worker-hung";
    public const string WorkerExited = "worker-exited";
    public const string StrayKilled = "stray-killed";
    public const string WorkerLost = "worker-lost";
    public const string ForeignConsumer = "foreign-consumer";
}
