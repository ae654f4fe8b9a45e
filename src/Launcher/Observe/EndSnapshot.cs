namespace Launcher.Observe;

/// <summary>How the last worker of a slot ended: its node, exit code (128+N for signal N) and reason (an <c>ExitReason</c>).</summary>
internal sealed record EndSnapshot(string Node, int ExitCode, string Reason);
