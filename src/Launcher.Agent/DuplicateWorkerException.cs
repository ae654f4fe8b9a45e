namespace Launcher.Agent;

/// <summary>
/// Thrown at start-up by a worker started without a launcher when another worker of the same instance is
/// already answering and <c>LAUNCHER_ON_DUPLICATE</c> is <c>refuse</c> (the default).
/// </summary>
public sealed class DuplicateWorkerException(string message) : Exception(message);
