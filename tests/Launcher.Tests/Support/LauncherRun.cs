using NUnit.Framework;
using NUnit.Framework.Interfaces;

namespace Launcher.Tests.Support;

/// <summary>
/// The tests' one way to run a launcher: <c>await using var run = await LauncherRun.StartAsync(sandbox, config)</c>
/// writes the config, starts the real <c>artifacts/launcher/launcher run</c> in the sandbox (its own
/// <c>LAUNCHER_RUNTIME_DIR</c> and instance, and its pid namespace if it has one), waits for the ready line on
/// either stream and parses it once into <see cref="Workers"/>. Disposing stops the launcher (SIGTERM, unless the
/// test stopped it already) and asserts that it exited with the expected code (0 unless
/// <see cref="ExpectExitCode"/>) and that no process it was seen with (its workers and their descendants, its
/// watchdog, by pid and start ticks) survives it.
/// </summary>
internal sealed class LauncherRun : IAsyncDisposable
{
    /// <summary>How long start-up may take to the ready line (a loaded 2-core machine, several workers).</summary>
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);

    /// <summary>How long a stop may take (the longest stop grace of a test, plus margin).</summary>
    public static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(40);

    private static readonly TimeSpan SurvivorDeadline = TimeSpan.FromSeconds(10);

    private readonly Sandbox _sandbox;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Identity> _seen = [];
    private int _expectedExitCode;
    private bool _disposed;

    private LauncherRun(Sandbox sandbox, LauncherProcess process, string readyLine, string logDir)
    {
        _sandbox = sandbox;
        Process = process;
        Ready = readyLine;
        Workers = Support.ReadyLine.Nodes(readyLine)
            .Select(node =>
            {
                var inside = Support.ReadyLine.PidOf(node);
                var pid = sandbox.SeenFromTest(inside);
                sandbox.Processes.Track(pid);
                return new RunWorker(node, pid, inside, Path.Combine(logDir, $"worker_{inside}.log"));
            })
            .ToList();
        Observe();
    }

    /// <summary>The launcher process (output, signals, exit).</summary>
    public LauncherProcess Process { get; }

    /// <summary>The launcher's pid as the test sees it.</summary>
    public int Pid => Process.Pid;

    /// <summary>The ready line, as printed.</summary>
    public string Ready { get; }

    /// <summary>The workers the ready line names, in its order.</summary>
    public IReadOnlyList<RunWorker> Workers { get; }

    /// <summary>Everything the launcher printed so far (both streams).</summary>
    public string Output => Process.Output;

    /// <summary>
    /// Starts <c>launcher run</c> (plus <paramref name="args"/>, e.g. <c>--debug</c>) in <paramref name="sandbox"/>
    /// after writing <paramref name="config"/> to its <c>launcher.json</c> (null: the test wrote a config already),
    /// and waits for the ready line. Fails with everything printed when the launcher exits or times out first.
    /// </summary>
    public static async Task<LauncherRun> StartAsync(
        Sandbox sandbox,
        LauncherConfig? config = null,
        IEnumerable<string>? args = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        config?.WriteTo(sandbox);
        var logDir = config?.LogDir is { } dir ? Path.Combine(sandbox.Dir, dir) : sandbox.LogDir;
        var process = LauncherProcess.Start(sandbox, ["run", .. args ?? []], workingDirectory, environment);
        try
        {
            var ready = await process.WaitForLineAsync(ReadyLine.Is, StartDeadline, cancellationToken, "the ready line");
            return new LauncherRun(sandbox, process, ready, logDir);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>The exit code the launcher is expected to end with (default 0), checked on dispose.</summary>
    public void ExpectExitCode(int exitCode) => _expectedExitCode = exitCode;

    /// <summary>
    /// Records every live descendant of the launcher (replacements, grandchildren, hooks, the watchdog) as a
    /// process that must not survive it. Done at start and before every stop; call it after causing new ones.
    /// </summary>
    public void Observe()
    {
        if (Process.HasExited)
            return;
        var found = ProcessProbe.DescendantsOf(Pid).Select(Identity.Of).Where(identity => identity.StartTicks is not null).ToList();
        lock (_gate)
        {
            foreach (var identity in found)
            {
                _seen.TryAdd(identity.Pid, identity);
                _sandbox.Processes.Track(identity.Pid);
            }
        }
    }

    /// <summary>The processes seen with the launcher that are still alive (the very same processes).</summary>
    public IReadOnlyList<Identity> Survivors()
    {
        lock (_gate)
            return _seen.Values.Where(identity => identity.IsAlive).ToList();
    }

    /// <summary>Sends SIGTERM (after <see cref="Observe"/>) and waits for the launcher to exit; returns its exit code.</summary>
    public async Task<int> StopAsync(CancellationToken cancellationToken = default)
    {
        Observe();
        if (!Process.HasExited)
            _ = ProcessProbe.Signal(Pid, Signals.SIGTERM);
        return await Process.WaitForExitAsync(StopDeadline, cancellationToken);
    }

    /// <summary>Waits for the launcher to exit on its own (a crash loop, a failed verification); returns its exit code.</summary>
    public Task<int> WaitForExitAsync(CancellationToken cancellationToken = default) =>
        Process.WaitForExitAsync(StopDeadline, cancellationToken);

    /// <summary>Waits for a line of the launcher's output (either stream) containing <paramref name="substring"/>.</summary>
    public Task<string> WaitForLineAsync(string substring, CancellationToken cancellationToken = default) =>
        Process.WaitForLineAsync(substring, StopDeadline, cancellationToken);

    /// <summary>
    /// Stops the launcher if it still runs (SIGTERM; SIGKILL if it does not exit within <see cref="StopDeadline"/>),
    /// then asserts its exit code and that nothing seen with it survives; a test that already failed only gets the
    /// findings printed, so its own failure stays the one reported.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;

        var problems = new List<string>();
        try
        {
            if (!Process.HasExited)
            {
                try
                {
                    await StopAsync();
                }
                catch (TimeoutException ex)
                {
                    problems.Add(ex.Message);
                }
            }

            var until = DateTime.UtcNow + SurvivorDeadline;
            while (Survivors().Count > 0 && DateTime.UtcNow < until)
                await Task.Delay(50);

            if (Process.ExitCode is { } exitCode && exitCode != _expectedExitCode)
                problems.Add($"the launcher exited with {exitCode}, expected {_expectedExitCode}");
            var survivors = Survivors();
            if (survivors.Count > 0)
                problems.Add($"{survivors.Count} process(es) outlived the launcher: {string.Join(", ", survivors)}");
        }
        finally
        {
            await Process.DisposeAsync();
        }

        if (problems.Count == 0)
            return;
        var message = $"{string.Join("; ", problems)}\nLauncher output:\n{Process.Output}";
        if (TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
            TestContext.Out.WriteLine($"(after the test failed) {message}");
        else
            Assert.Fail(message);
    }
}
