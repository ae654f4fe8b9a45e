namespace Launcher.Exceptions;

/// <summary>Workers kept dying: the launcher stopped the instance and exits 5.</summary>
internal sealed class CrashLoopException(string message) : LauncherException(message, ExitCodes.CrashLoop);
