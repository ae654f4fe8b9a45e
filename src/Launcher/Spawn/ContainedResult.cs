namespace Launcher.Spawn;

/// <summary>How a hook or probe ended: its own exit code (null when it was killed at its timeout), and how many
/// processes it left behind that were killed after it exited.</summary>
internal sealed record ContainedResult(int? ExitCode, int LeftoversKilled)
{
    public bool TimedOut => ExitCode is null;
}
