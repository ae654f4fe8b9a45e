namespace Launcher.Exceptions;

/// <summary>Another live launcher holds this instance: exit 3, naming it.</summary>
internal sealed class GuardHeldException(string message) : LauncherException(message, ExitCodes.GuardHeld);
