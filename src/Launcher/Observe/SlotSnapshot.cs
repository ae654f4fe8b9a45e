namespace Launcher.Observe;

/// <summary>One worker slot when the snapshot was taken.</summary>
/// <param name="State">The slot's <c>SlotState</c>, lower case.</param>
/// <param name="RecentExits">Unexpected exits of this slot within the crash-loop window.</param>
internal sealed record SlotSnapshot(int Index, string State, WorkerSnapshot? Worker, int Restarts, int RecentExits, EndSnapshot? LastEnd);
