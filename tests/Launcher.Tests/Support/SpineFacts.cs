using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Launcher.Tests.Support;

/// <summary>
/// Small readers for the spine's tests (issue 2 and 6): started pids in the launcher's output, a process's
/// environment, the instance's registry.
/// </summary>
internal static partial class SpineFacts
{
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

    /// <summary>Files left in the instance's registry (registrations and sockets).</summary>
    public static IReadOnlyList<string> RegistryEntries(Sandbox sandbox) =>
        Directory.Exists(sandbox.Paths.WorkersDir)
            ? Directory.EnumerateFileSystemEntries(sandbox.Paths.WorkersDir).Select(Path.GetFileName).OfType<string>().ToList()
            : [];

    [GeneratedRegex(@"Started worker api\d+@\S+ \(pid (\d+)\)")]
    private static partial Regex StartedLine();
}
