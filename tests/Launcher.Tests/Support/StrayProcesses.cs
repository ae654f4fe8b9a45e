using System.Text.Json;
using Launcher.Agent.Protocol;

namespace Launcher.Tests.Support;

/// <summary>
/// Strays for the stray tests (issue 3): workers started the way an IDE starts them (no launcher, only the
/// instance marker), plain marked or unmarked processes, registrations written by hand, and a look at what
/// <c>launcher strays --json</c> reports. Every process started here is tracked by the sandbox.
/// </summary>
internal static class StrayProcesses
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Starts a SampleWorker with <c>LAUNCHER_INSTANCE</c> (no launcher, no node name) and waits until it has
    /// registered. Only one such worker per instance may start on its own: the agent refuses a second one as a
    /// duplicate. Pass <paramref name="besideAnother"/> to start more: the worker then carries a guard naming
    /// this test process as its launcher, which skips that check (and its parent watch sees a live "launcher").
    /// </summary>
    public static async Task<StrayWorker> StartWorkerAsync(
        Sandbox sandbox, string[] args, bool besideAnother = false, CancellationToken cancellationToken = default)
    {
        var environment = new Dictionary<string, string?> { [EnvironmentNames.Instance] = sandbox.Instance };
        if (besideAnother)
            environment[EnvironmentNames.Guard] = $"{sandbox.Instance}:{sandbox.LiveProcessInside.Pid}:{sandbox.LiveProcessInside.StartTicks}";

        var process = LauncherProcess.StartProgram(sandbox, Repo.SampleWorkerExe, ["--tick-seconds", "1", .. args], environment: environment);
        await process.WaitForLineAsync("Ready.", StartDeadline, cancellationToken);
        var registration = sandbox.Paths.RegistrationFile(process.PidInside);
        await Eventually.TrueAsync(() => ReadRegistration(registration) is not null, StartDeadline,
            $"the hand-started worker pid {process.Pid} registers", cancellationToken);

        var children = ProcessProbe.DescendantsOf(process.Pid);
        foreach (var child in children)
            sandbox.Processes.Track(child);
        return new StrayWorker(process, ReadRegistration(registration)!, registration, children);
    }

    /// <summary>Starts <paramref name="program"/> with <paramref name="args"/> (tracked) and waits until it runs as <paramref name="expectedCommandLine"/>.</summary>
    public static async Task<LauncherProcess> StartAsync(
        Sandbox sandbox, string program, string[] args, string expectedCommandLine,
        IReadOnlyDictionary<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        var process = LauncherProcess.StartProgram(sandbox, program, args, environment: environment);
        await Eventually.TrueAsync(() => ProcessProbe.CommandLine(process.Pid) == expectedCommandLine, StartDeadline,
            $"pid {process.Pid} runs `{expectedCommandLine}`", cancellationToken);
        return process;
    }

    /// <summary>A registration file's content, or null when it is missing or not written completely yet.</summary>
    public static WorkerRegistration? ReadRegistration(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), ProtocolJson.Default.WorkerRegistration);
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes a registration in the sandbox's runtime directory, as a worker would.</summary>
    public static string WriteRegistration(Sandbox sandbox, WorkerRegistration registration)
    {
        Directory.CreateDirectory(sandbox.Paths.WorkersDir);
        var path = sandbox.Paths.RegistrationFile(registration.Pid);
        File.WriteAllText(path, JsonSerializer.Serialize(registration, ProtocolJson.Default.WorkerRegistration));
        return path;
    }

    /// <summary>Runs <c>launcher strays [--kill] --json</c> and parses its report.</summary>
    public static async Task<StraysOutput> ReportAsync(Sandbox sandbox, bool kill, CancellationToken cancellationToken)
    {
        var result = await LauncherCli.RunAsync(sandbox, kill ? ["strays", "--kill", "--json"] : ["strays", "--json"], cancellationToken: cancellationToken);
        try
        {
            using var json = JsonDocument.Parse(result.Stdout);
            var root = json.RootElement;
            var strays = root.GetProperty("strays").EnumerateArray()
                .Select(s => new ReportedStray(s.GetProperty("node").GetString(), s.GetProperty("pid").GetInt32(),
                    s.GetProperty("treeSize").GetInt32(), s.GetProperty("foundBy").GetString() ?? ""))
                .ToList();
            var killed = root.GetProperty("killed").EnumerateArray()
                .Select(k => new ReportedKill(k.GetProperty("node").GetString(), k.GetProperty("pid").GetInt32(),
                    k.GetProperty("treeSize").GetInt32(), k.GetProperty("endedBy").GetString() ?? "",
                    k.GetProperty("elapsedMs").GetInt64(), k.GetProperty("survivors").GetInt32()))
                .ToList();
            return new StraysOutput(result.ExitCode, strays, killed, result.ToString());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidOperationException($"launcher strays --json printed no report: {result}", ex);
        }
    }

    /// <summary>Live SampleWorker processes carrying <paramref name="instance"/>'s marker.</summary>
    public static List<int> SampleWorkerPids(string instance) =>
        ProcessProbe.PidsWithMarker(instance)
            .Where(pid => ProcessProbe.CommandLine(pid)?.Contains("SampleWorker", StringComparison.Ordinal) == true)
            .ToList();

}

/// <summary>A process by pid and start ticks, so "gone" and "alive" are never confused by pid reuse.</summary>
internal readonly record struct Identity(int Pid, ulong? StartTicks)
{
    public static Identity Of(int pid) => new(pid, ProcessProbe.StartTicks(pid));

    /// <summary>True while this very process lives (not a zombie, not a newcomer with the same pid).</summary>
    public bool IsAlive => StartTicks is { } ticks && ProcessProbe.StartTicks(Pid) == ticks && ProcessProbe.IsAlive(Pid);

    public override string ToString() => $"pid {Pid} ({ProcessProbe.CommandLine(Pid) ?? "gone"})";
}

/// <summary>A SampleWorker started without a launcher: the process, its registration, and its children at start.</summary>
internal sealed record StrayWorker(LauncherProcess Process, WorkerRegistration Registration, string RegistrationFile, IReadOnlyList<int> Children)
    : IAsyncDisposable
{
    /// <summary>The pid as the test sees it (probes, signals).</summary>
    public int Pid => Process.Pid;

    /// <summary>The pid as the launcher sees it (node name, registration, reports); see <see cref="LauncherProcess.PidInside"/>.</summary>
    public int PidInside => Process.PidInside;

    public string Node => Registration.Node;

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

/// <summary>One entry of <c>strays</c> in <c>launcher strays --json</c>.</summary>
internal sealed record ReportedStray(string? Node, int Pid, int TreeSize, string FoundBy);

/// <summary>One entry of <c>killed</c> in <c>launcher strays --kill --json</c>.</summary>
internal sealed record ReportedKill(string? Node, int Pid, int TreeSize, string EndedBy, long ElapsedMs, int Survivors);

/// <summary>The parsed report; <see cref="Raw"/> is the whole output, for assertion messages.</summary>
internal sealed record StraysOutput(int ExitCode, IReadOnlyList<ReportedStray> Strays, IReadOnlyList<ReportedKill> Killed, string Raw);
