namespace Launcher.Agent;

/// <summary>
/// Thrown at start-up by a worker started without a launcher when another worker of the same instance is
/// already answering and <c>LAUNCHER_ON_DUPLICATE</c> is <c>refuse</c> (the default).
/// </summary>
public sealed class DuplicateWorkerException : Exception
{
    /// <summary>Creates the exception for <paramref name="instance"/> and the workers found answering.</summary>
    public DuplicateWorkerException(string instance, IReadOnlyList<string> runningWorkers)
        : base($"another worker of instance '{instance}' is already running: {string.Join(", ", runningWorkers)}. " +
            "Stop it (launcher stop) or set LAUNCHER_ON_DUPLICATE=replace to take its place.")
    {
        Instance = instance;
        RunningWorkers = runningWorkers;
    }

    /// <summary>The instance the worker was to join.</summary>
    public string Instance { get; }

    /// <summary>The workers already answering, as <c>node#pid</c>.</summary>
    public IReadOnlyList<string> RunningWorkers { get; }
}
