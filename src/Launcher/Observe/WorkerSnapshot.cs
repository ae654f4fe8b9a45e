namespace Launcher.Observe;

/// <summary>The worker in a slot when the snapshot was taken.</summary>
internal sealed record WorkerSnapshot(string Node, int Pid, DateTimeOffset StartedAt, DateTimeOffset? LastPingAt);
