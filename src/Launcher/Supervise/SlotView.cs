namespace Launcher.Supervise;

/// <summary>One worker slot as <see cref="SupervisionSummary"/> sees it: its state, its worker, and how its last one ended.</summary>
internal sealed record SlotView(SlotState State, string? Current, string? LastNode, string? LastReason);
