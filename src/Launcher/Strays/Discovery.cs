namespace Launcher.Strays;

/// <summary>Everything found for an instance at one moment.</summary>
internal sealed record Discovery(IReadOnlyList<WorkerUnit> Units, IReadOnlyList<StaleRegistration> Stale);
