namespace Launcher.Exceptions;

/// <summary>
/// `run --replace` could not take over: the running launcher of the instance did not exit in time, or it is this
/// launcher's own ancestor. Exit 3 (the instance is still held), naming it.
/// </summary>
internal sealed class ReplaceFailedException(int launcherPid, string message) : LauncherException(message, ExitCodes.GuardHeld)
{
    /// <summary>The running launcher that was to be replaced.</summary>
    public int LauncherPid { get; } = launcherPid;
}
