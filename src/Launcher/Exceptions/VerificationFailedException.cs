namespace Launcher.Exceptions;

/// <summary>Not exactly the expected workers answered (or strays block a --no-kill start): exit 4.</summary>
internal sealed class VerificationFailedException(string message) : LauncherException(message, ExitCodes.VerificationFailed);
