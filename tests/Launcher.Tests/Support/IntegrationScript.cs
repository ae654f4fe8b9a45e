using NUnit.Framework;

namespace Launcher.Tests.Support;

/// <summary>
/// Runs one of the shipped <c>integrations/</c> scripts (<c>rq/census.py</c>, <c>celery/ping.py</c>,
/// <c>sqlite/lost.py</c>...) to completion with Debian's <c>/usr/bin/python3</c>, from the sandbox's copy of
/// <c>integrations/</c> (so nothing is written into the repository), and returns what it printed, stream by stream.
/// </summary>
internal static class IntegrationScript
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>What a script did: its exit code and the lines of each stream.</summary>
    public sealed record Result(int ExitCode, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr)
    {
        /// <inheritdoc />
        public override string ToString() =>
            $"exit {ExitCode}\nstdout:\n{string.Join('\n', Stdout)}\nstderr:\n{string.Join('\n', Stderr)}";
    }

    /// <summary>
    /// Runs <c>integrations/&lt;<paramref name="script"/>&gt;</c> with <paramref name="args"/> in
    /// <paramref name="workingDirectory"/> (default: the script's directory) with <paramref name="environment"/> added.
    /// </summary>
    public static async Task<Result> RunAsync(
        Sandbox sandbox,
        string script,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment,
        CancellationToken cancellationToken,
        string? workingDirectory = null)
    {
        var path = Path.Combine(Examples.CopyIntegrations(sandbox), script);
        Assert.That(File.Exists(path), Is.True, $"{path} exists");
        var env = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>(), StringComparer.Ordinal)
        {
            ["PYTHONDONTWRITEBYTECODE"] = "1",
        };
        // The broker URL comes only from what the test passes: never from the shell that ran `dotnet test`.
        foreach (var variable in (string[])["REDIS_URL", "RQ_REDIS_URL", "CELERY_BROKER_URL", "JOBS_DB"])
            env.TryAdd(variable, null);
        await using var process = LauncherProcess.StartProgram(
            sandbox, PythonPackages.Python, [path, .. args], workingDirectory ?? Path.GetDirectoryName(path), env);
        var exitCode = await process.WaitForExitAsync(Deadline, cancellationToken);
        return new Result(exitCode, process.StdoutLines, process.StderrLines);
    }

    /// <summary>A 127.0.0.1 URL on which nothing listens: a port taken from the kernel and given back at once.</summary>
    public static string UnreachableRedisUrl()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"redis://127.0.0.1:{port}/0";
    }
}
