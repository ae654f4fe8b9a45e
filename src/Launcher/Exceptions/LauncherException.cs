namespace Launcher.Exceptions;

/// <summary>
/// A failure the user must hear about, with the exit code it maps to. Messages say what happened, to whom,
/// and how to fix it, in one line.
/// </summary>
internal abstract class LauncherException(string message, int exitCode, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
