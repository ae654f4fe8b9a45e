namespace Launcher.Tests.Support;

/// <summary>
/// Runs one launcher command to completion (<c>launcher ping --json</c>, <c>launcher status</c>...), in a sandbox.
/// Named <c>LauncherCli</c>, not <c>Cli</c>: in namespace <c>Launcher.Tests</c> a bare <c>Cli</c> would resolve to
/// the launcher's own <c>Launcher.Cli</c> namespace.
/// </summary>
internal static class LauncherCli
{
    private static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs <c>launcher &lt;args&gt;</c> (environment as in <see cref="LauncherProcess.Start"/>) and returns its exit code
    /// and output. Throws <see cref="TimeoutException"/> (with the output) when it has not exited within
    /// <paramref name="deadline"/> (default 30 s); the process is killed then.
    /// </summary>
    public static async Task<CliResult> RunAsync(
        Sandbox sandbox,
        IEnumerable<string> args,
        TimeSpan? deadline = null,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        CancellationToken cancellationToken = default)
    {
        await using var launcher = LauncherProcess.Start(sandbox, args, workingDirectory, environment);
        var exitCode = await launcher.WaitForExitAsync(deadline ?? DefaultDeadline, cancellationToken);
        return new CliResult(exitCode, string.Join('\n', launcher.StdoutLines), string.Join('\n', launcher.StderrLines));
    }
}
