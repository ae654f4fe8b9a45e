namespace Launcher.Tests.Support;

/// <summary>The outcome of a launcher command run to completion; deconstructs as <c>(exitCode, stdout, stderr)</c>.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Everything, for assertion messages.</summary>
    public override string ToString() => $"exit code {ExitCode}\n--- stdout:\n{Stdout}\n--- stderr:\n{Stderr}";
}
