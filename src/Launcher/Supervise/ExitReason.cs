namespace Launcher.Supervise;

/// <summary>Why a worker ended, as the exit hook sees it in <c>LAUNCHER_EXIT_REASON</c>.</summary>
internal static class ExitReason
{
    public const string Crashed = "crashed";
    public const string Hung = "hung";
    public const string Stopped = "stopped";
    public const string StrayKilled = "stray-killed";

    /// <summary>A registration the census listed at start whose worker died unseen (issue 11): no exit code is known.</summary>
    public const string Lost = "lost";
}
