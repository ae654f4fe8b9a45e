using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Launcher.Tests.Support;

/// <summary>
/// What the supervision tests (issue 4) read about a running launcher: its workers as the kernel sees them,
/// the pids it announced, what <c>launcher ping --json</c> says, and which thread forked a child.
/// </summary>
internal static partial class Supervision
{
    /// <summary>
    /// A command for one SampleWorker that misbehaves only the first time: a shell that claims
    /// <c>&lt;dir&gt;/&lt;flag&gt;</c> with mkdir and execs SampleWorker with <paramref name="misbehaviour"/> if it won,
    /// else a well-behaved one. Several may be chained: the first unclaimed flag wins. exec keeps the pid, so the
    /// node name the launcher gave (<c>api&lt;pid&gt;@host</c>) stays right.
    /// </summary>
    public static string[] OnceCommand(string dir, params (string Flag, string[] Misbehaviour)[] steps)
    {
        var script = string.Concat(steps.Select(step =>
            $"if mkdir \"$0/{step.Flag}\" 2>/dev/null; then exec \"$1\" --tick-seconds 1 {string.Join(' ', step.Misbehaviour)}; fi; "))
            + "exec \"$1\" --tick-seconds 1";
        return ["/bin/sh", "-c", script, dir, Repo.SampleWorkerExe];
    }

    /// <summary>The pids of every <c>Started worker ... (pid N)</c> line the launcher printed so far, in order.</summary>
    public static IReadOnlyList<int> StartedPids(LauncherProcess launcher) =>
        launcher.StdoutLines.Concat(launcher.StderrLines)
            .Select(line => StartedLine().Match(line))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .Distinct()
            .ToList();

    /// <summary>Live SampleWorker processes of the sandbox's instance (workers, not their <c>sleep</c> children).</summary>
    public static IReadOnlyList<int> LiveWorkers(Sandbox sandbox) =>
        ProcessProbe.PidsWithMarker(sandbox.Instance)
            .Where(pid => ProcessProbe.CommandLine(pid)?.Contains("SampleWorker", StringComparison.Ordinal) == true)
            .ToList();

    /// <summary>The launcher's watchdog companion (<c>launcher __watchdog</c>), or null when there is none.</summary>
    public static int? Watchdog(int launcherPid) =>
        ProcessProbe.ChildrenOf(launcherPid)
            .Where(pid => ProcessProbe.CommandLine(pid)?.Contains("__watchdog", StringComparison.Ordinal) == true)
            .Select(pid => (int?)pid)
            .FirstOrDefault();

    /// <summary>Runs <c>launcher ping --json</c> in the sandbox and returns its exit code and report.</summary>
    public static async Task<PingSnapshot> PingAsync(Sandbox sandbox, CancellationToken cancellationToken)
    {
        var result = await LauncherCli.RunAsync(sandbox, ["ping", "--json"], cancellationToken: cancellationToken);
        try
        {
            using var json = JsonDocument.Parse(result.Stdout);
            var workers = json.RootElement.GetProperty("workers").EnumerateArray()
                .Select(w => new PingedWorker(
                    w.GetProperty("node").GetString(),
                    w.GetProperty("pid").GetInt32(),
                    w.GetProperty("answered").GetBoolean()))
                .ToList();
            return new PingSnapshot(result.ExitCode, workers, result.ToString());
        }
        catch (JsonException)
        {
            return new PingSnapshot(result.ExitCode, [], result.ToString());
        }
    }

    /// <summary>
    /// The name (<c>/proc/&lt;pid&gt;/task/&lt;tid&gt;/comm</c>) of the thread of <paramref name="parentPid"/> that forked
    /// <paramref name="childPid"/>: the kernel's <c>task/&lt;tid&gt;/children</c> lists children per thread, and that
    /// thread's exit is what fires the parent-death signal (prctl(2)). Null when not found.
    /// </summary>
    public static string? ForkingThread(int parentPid, int childPid)
    {
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{parentPid}/task"))
            {
                var children = File.ReadAllText(Path.Combine(task, "children"))
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (children.Contains(childPid.ToString(CultureInfo.InvariantCulture)))
                    return File.ReadAllText(Path.Combine(task, "comm")).Trim();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds (see <see cref="Eventually"/>); on failure the message also
    /// carries everything <paramref name="launcher"/> printed, which is what explains a missed state.
    /// </summary>
    public static async Task EventuallyAsync(
        LauncherProcess launcher, Func<Task<bool>> condition, TimeSpan deadline, string because, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            var expired = DateTime.UtcNow >= until;
            if (await condition())
                return;
            if (expired)
                Assert.Fail($"not true within {deadline.TotalSeconds:0.###} s: {because}\nLauncher output:\n{launcher.Output}");
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Reads <c>KEY=value</c> lines (an <c>env</c> dump) into a dictionary.</summary>
    public static Dictionary<string, string> ReadEnvFile(string path) =>
        File.ReadAllLines(path)
            .Where(line => line.Contains('=', StringComparison.Ordinal))
            .Select(line => line.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);

    [GeneratedRegex(@"Started worker \S+ \(pid (\d+)\)")]
    private static partial Regex StartedLine();
}

/// <summary>One worker in <c>launcher ping --json</c>.</summary>
internal sealed record PingedWorker(string? Node, int Pid, bool Answered);

/// <summary>The outcome of <c>launcher ping --json</c>; <see cref="Raw"/> is everything, for assertion messages.</summary>
internal sealed record PingSnapshot(int ExitCode, IReadOnlyList<PingedWorker> Workers, string Raw)
{
    public IReadOnlyList<PingedWorker> Answering => Workers.Where(w => w.Answered).ToList();

    /// <summary>True when exactly one worker is found, it answers, and it is <paramref name="pid"/> with its own node name.</summary>
    public bool IsExactlyOne(int pid) =>
        ExitCode == 0 && Workers.Count == 1 && Workers[0].Answered && Workers[0].Pid == pid
        && Workers[0].Node?.StartsWith($"api{pid}@", StringComparison.Ordinal) == true;
}
