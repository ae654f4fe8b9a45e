namespace Launcher.Platform;

/// <summary>
/// The launcher variables in a process's start-up environment. Every descendant inherits them, so they find
/// grandchildren that left the process group or were orphaned; only an exact instance match counts.
/// </summary>
internal sealed record ProcessMarkers(string? Instance, string? Node, string? Guard, string? Role)
{
    /// <summary>Set to <c>hook</c> on exit-hook processes: they carry the dead worker's node but are not workers.</summary>
    public const string RoleVariable = "LAUNCHER_ROLE";

    public static readonly ProcessMarkers None = new(null, null, null, null);
}
