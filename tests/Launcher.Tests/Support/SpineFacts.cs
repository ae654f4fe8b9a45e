using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Launcher.Tests.Support;

/// <summary>
/// Small readers for the spine's tests (issue 2 and 6): node names in the launcher's output, a process's
/// environment, and the standard config they run with.
/// </summary>
internal static partial class SpineFacts
{
    /// <summary>The node names listed in a <c>ready: N/N workers verified (a, b)</c> line.</summary>
    public static IReadOnlyList<string> NodesInReadyLine(string line)
    {
        var open = line.IndexOf('(', StringComparison.Ordinal);
        var close = line.LastIndexOf(')');
        return open < 0 || close < open
            ? []
            : line[(open + 1)..close].Split(", ", StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The pid in a node name <c>api&lt;pid&gt;@&lt;host&gt;</c>.</summary>
    public static int PidOfNode(string node)
    {
        var match = NodePid().Match(node);
        return match.Success
            ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new FormatException($"'{node}' is not a node name api<pid>@<host>");
    }

    /// <summary>The pids named by the launcher's "Started worker api&lt;pid&gt;@host (pid N)" lines, in order.</summary>
    public static IReadOnlyList<int> StartedPids(LauncherProcess launcher) =>
        launcher.StdoutLines.Concat(launcher.StderrLines)
            .Select(line => StartedLine().Match(line))
            .Where(match => match.Success)
            .Select(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture))
            .Distinct()
            .ToList();

    /// <summary>Runs a program (not the launcher) to completion, e.g. <c>ps</c>; its pid is tracked by the sandbox.</summary>
    public static async Task<CliResult> RunProgramAsync(Sandbox sandbox, string program, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        await using var process = LauncherProcess.StartProgram(sandbox, program, args);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return new CliResult(exitCode, string.Join('\n', process.StdoutLines), string.Join('\n', process.StderrLines));
    }

    /// <summary>One variable of a live process's environment (<c>/proc/&lt;pid&gt;/environ</c>), or null.</summary>
    public static string? EnvironmentOf(int pid, string name)
    {
        string environ;
        try
        {
            environ = Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/environ"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return environ.Split('\0').FirstOrDefault(entry => entry.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];
    }

    /// <summary>
    /// Writes a config of <paramref name="workers"/> SampleWorkers with <paramref name="workerArgs"/>, a short stop
    /// grace (the sample worker stops in well under a second) and the given start timeout. Returns the path.
    /// </summary>
    public static string WriteSampleConfig(Sandbox sandbox, int workers, string[] workerArgs, double startTimeoutSeconds = 30, double stopGraceSeconds = 5) =>
        sandbox.WriteConfig(new
        {
            instance = sandbox.Instance,
            command = (string[])[Repo.SampleWorkerExe, .. workerArgs],
            workers,
            logDir = "logs",
            startTimeoutSeconds,
            stopGraceSeconds,
        });

    /// <summary>Files left in the instance's registry (registrations and sockets).</summary>
    public static IReadOnlyList<string> RegistryEntries(Sandbox sandbox) =>
        Directory.Exists(sandbox.Paths.WorkersDir)
            ? Directory.EnumerateFileSystemEntries(sandbox.Paths.WorkersDir).Select(Path.GetFileName).OfType<string>().ToList()
            : [];

    [GeneratedRegex(@"^api(\d+)@")]
    private static partial Regex NodePid();

    [GeneratedRegex(@"Started worker api\d+@\S+ \(pid (\d+)\)")]
    private static partial Regex StartedLine();
}
