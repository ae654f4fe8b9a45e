namespace Launcher.Strays;

/// <summary>
/// Everything found for an instance at one moment: its workers, registrations that no live process backs, and
/// candidates that only a stray pattern names (listed by `launcher strays`, never killed, never counted).
/// </summary>
internal sealed record Discovery(IReadOnlyList<WorkerUnit> Units, IReadOnlyList<StaleRegistration> Stale, IReadOnlyList<WorkerUnit> Candidates);
