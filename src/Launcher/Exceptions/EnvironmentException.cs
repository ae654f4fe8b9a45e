namespace Launcher.Exceptions;

/// <summary>The machine cannot give the guarantees the launcher needs (unsafe runtime directory, no file locks).</summary>
internal sealed class EnvironmentException(string message) : LauncherException(message, ExitCodes.BadUsage);
