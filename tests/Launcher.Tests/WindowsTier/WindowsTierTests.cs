using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests.WindowsTier;

/// <summary>
/// Issue 15: the Windows tier. The win-x64 launcher and SampleWorker run under Wine (on Linux) or natively (on
/// Windows); the test code drives them from outside, as a user would. Run by scripts/test-windows.sh, which publishes
/// the build; elsewhere every test here is skipped with the reason.
/// </summary>
[TestFixture]
[Category(WindowsBuild.Category)]
[NonParallelizable]
public sealed partial class WindowsTierTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(150);

    [SetUp]
    public void RequireWindowsBuild() => WindowsBuild.RequireOrIgnore();

    [Test, CancelAfter(300_000)]
    public async Task The_launcher_starts_exactly_N_workers_each_answering_and_logging_to_its_own_pid_file(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var config = WindowsBuild.WriteConfig(sandbox, 2);

        // Act
        var clock = Stopwatch.StartNew();
        using var launcher = WindowsBuild.StartLauncher(sandbox, "run", "--config", WindowsBuild.WindowsPath(config));
        await Eventually.TrueAsync(() => launcher.ReadyLine is not null || launcher.Process.HasExited, Deadline, "the ready line", cancellationToken);
        var toReady = clock.Elapsed;

        // Assert
        var pids = NodePids(launcher.ReadyLine ?? "");
        Assert.That(launcher.ReadyLine, Does.StartWith("ready: 2/2 workers verified"), launcher.Output);
        TestContext.Out.WriteLine($"windows-tier: time to ready under {(WindowsBuild.Wine is null ? "Windows" : "Wine")}: {toReady.TotalSeconds:F1} s (2 workers, from process start)");
        foreach (var pid in pids)
        {
            var log = Path.Combine(sandbox.LogDir, $"worker_{pid}.log");
            await Eventually.TrueAsync(() => File.Exists(log) && File.ReadAllText(log).Contains($"Ready. pid={pid}", StringComparison.Ordinal),
                Deadline, $"{log} holds the worker's own output", cancellationToken);
        }

        Assert.That(pids, Has.Count.EqualTo(2).And.Unique);
        await StopAsync(launcher, cancellationToken);
    }

    [Test, CancelAfter(300_000)]
    public async Task Ctrl_C_stops_every_worker_gracefully_and_the_launcher_exits_0(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var config = WindowsBuild.WriteConfig(sandbox, 2);
        using var launcher = WindowsBuild.StartLauncher(sandbox, "run", "--config", WindowsBuild.WindowsPath(config));
        await Eventually.TrueAsync(() => launcher.ReadyLine is not null || launcher.Process.HasExited, Deadline, "the ready line", cancellationToken);
        Assert.That(launcher.ReadyLine, Is.Not.Null, launcher.Output);
        var pids = NodePids(launcher.ReadyLine!);

        // Act
        await StopAsync(launcher, cancellationToken);

        // Assert: each worker heard the stop request (the agent's named pipe) and shut down by itself.
        Assert.That(launcher.Process.ExitCode, Is.EqualTo(0), launcher.Output);
        foreach (var pid in pids)
        {
            var log = File.ReadAllText(Path.Combine(sandbox.LogDir, $"worker_{pid}.log"));
            Assert.That(log, Does.Contain("stopping gracefully"), $"worker {pid} was not stopped gracefully:\n{log}\n{launcher.Output}");
        }

        Assert.That(WindowsBuild.LiveSampleWorkers(sandbox), Is.Empty);
    }

    [Test, CancelAfter(300_000)]
    public async Task SIGKILL_of_the_launchers_process_leaves_no_worker_running(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var config = WindowsBuild.WriteConfig(sandbox, 2);
        using var launcher = WindowsBuild.StartLauncher(sandbox, "run", "--config", WindowsBuild.WindowsPath(config));
        await Eventually.TrueAsync(() => launcher.ReadyLine is not null || launcher.Process.HasExited, Deadline, "the ready line", cancellationToken);
        Assert.That(launcher.ReadyLine, Is.Not.Null, launcher.Output);
        var before = WindowsBuild.LiveSampleWorkers(sandbox);
        Assert.That(before, Has.Count.EqualTo(2), "two worker processes run before the kill");

        // Act: the job object's kill-on-close is all that is left to end them.
        var clock = Stopwatch.StartNew();
        launcher.Process.Kill();
        await Eventually.TrueAsync(() => before.All(pid => !ProcessProbe.IsAlive(pid)), TimeSpan.FromSeconds(60),
            $"workers {string.Join(", ", before)} end once the launcher is SIGKILLed", cancellationToken);

        // Assert
        TestContext.Out.WriteLine($"windows-tier: SIGKILL of the launcher to no surviving worker: {clock.Elapsed.TotalSeconds:F2} s");
        Assert.That(WindowsBuild.LiveSampleWorkers(sandbox), Is.Empty);
    }

    [Test, CancelAfter(300_000)]
    public async Task A_second_launcher_of_the_same_instance_is_refused_with_exit_3_naming_the_first(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var config = WindowsBuild.WriteConfig(sandbox, 1);
        using var first = WindowsBuild.StartLauncher(sandbox, "run", "--config", WindowsBuild.WindowsPath(config));
        await Eventually.TrueAsync(() => first.ReadyLine is not null || first.Process.HasExited, Deadline, "the first launcher's ready line", cancellationToken);
        Assert.That(first.ReadyLine, Is.Not.Null, first.Output);

        // Act
        using var second = WindowsBuild.StartLauncher(sandbox, "run", "--config", WindowsBuild.WindowsPath(config));
        await second.Process.WaitForExitAsync(cancellationToken).WaitAsync(Deadline, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(second.Process.ExitCode, Is.EqualTo(3), second.Output);
            Assert.That(second.Output, Does.Contain("pid"), "the refusal names the holder");
            Assert.That(first.Process.HasExited, Is.False, "the first launcher keeps running");
        });
        await StopAsync(first, cancellationToken);
    }

    [Test, CancelAfter(300_000)]
    public async Task A_worker_of_the_instance_left_running_outside_any_launcher_is_stopped_before_the_new_workers_start(CancellationToken cancellationToken)
    {
        // Arrange: a worker of this instance that no launcher runs (its launcher is long gone), registered and answering.
        await using var sandbox = new Sandbox();
        var config = WindowsBuild.WriteConfig(sandbox, 1);
        using var stray = WindowsBuild.Start(sandbox, WindowsBuild.SampleWorkerExe, ["--tick-seconds", "1"],
            new Dictionary<string, string> { ["LAUNCHER_INSTANCE"] = sandbox.Instance });
        var registrations = Path.Combine(sandbox.RuntimeDir, sandbox.Instance, "workers");
        await Eventually.TrueAsync(() => Directory.Exists(registrations) && Directory.GetFiles(registrations, "*.json").Length == 1,
            Deadline, "the stray registered", cancellationToken);
        var strayPid = int.Parse(Path.GetFileNameWithoutExtension(Directory.GetFiles(registrations, "*.json")[0]), CultureInfo.InvariantCulture);

        // Act
        using var launcher = WindowsBuild.StartLauncher(sandbox, "run", "--config", WindowsBuild.WindowsPath(config));
        await Eventually.TrueAsync(() => launcher.ReadyLine is not null || launcher.Process.HasExited, Deadline, "the ready line", cancellationToken);

        // Assert: the stray is gone (its process exited) and exactly one worker of ours answers.
        Assert.That(launcher.ReadyLine, Does.StartWith("ready: 1/1 workers verified"), launcher.Output);
        Assert.That(NodePids(launcher.ReadyLine!), Does.Not.Contain(strayPid));
        await Eventually.TrueAsync(() => stray.Process.HasExited, TimeSpan.FromSeconds(30), $"the stray (Windows pid {strayPid}) exited", cancellationToken);
        await StopAsync(launcher, cancellationToken);
    }

    [Test, CancelAfter(300_000)]
    public async Task A_worker_that_crashes_is_restarted(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var config = WindowsBuild.WriteConfig(sandbox, 1);
        using var launcher = WindowsBuild.StartLauncher(sandbox, "run", "--config", WindowsBuild.WindowsPath(config));
        await Eventually.TrueAsync(() => launcher.ReadyLine is not null || launcher.Process.HasExited, Deadline, "the ready line", cancellationToken);
        Assert.That(launcher.ReadyLine, Is.Not.Null, launcher.Output);
        var first = WindowsBuild.LiveSampleWorkers(sandbox);
        Assert.That(first, Has.Count.EqualTo(1), "one worker process runs before the crash");

        // Act: the worker dies at once, without a stop request, as a crash (or a debugger's stop button) ends it.
        // Not a --crash-after timer: it had to outlast the slowest verification under a loaded Wine, 40 s of waiting.
        _ = NativeMethods.Kill(first[0], Signals.SIGKILL);

        // Assert: the status file shows the slot restarted, and a new worker process runs in its place.
        var status = Path.Combine(sandbox.RuntimeDir, sandbox.Instance + ".status.json");
        await Eventually.TrueAsync(() => Restarts(status) >= 1, Deadline, $"a restart recorded in {status}", cancellationToken);
        await Eventually.TrueAsync(() => WindowsBuild.LiveSampleWorkers(sandbox) is [var pid] && pid != first[0], Deadline,
            "a new worker process in the crashed one's place", cancellationToken);
        Assert.That(launcher.Process.HasExited, Is.False, launcher.Output);
        await StopAsync(launcher, cancellationToken);
    }

    // Ctrl+C as a terminal sends it: SIGINT, which Wine turns into CTRL_C_EVENT for the launcher's handlers.
    private static async Task StopAsync(WindowsProcess launcher, CancellationToken cancellationToken)
    {
        if (launcher.Process.HasExited)
            return;
        if (WindowsBuild.Wine is null)
            throw new InconclusiveException("on Windows the tier cannot send Ctrl+C to a launcher without a console of its own");
        _ = NativeMethods.Kill(launcher.Process.Id, Signals.SIGINT);
        await launcher.Process.WaitForExitAsync(cancellationToken).WaitAsync(Deadline, cancellationToken);
    }

    private static int Restarts(string statusFile)
    {
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(statusFile));
            return json?["workers"]?.AsArray().Sum(w => w?["restarts"]?.GetValue<int>() ?? 0) ?? 0;
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return 0;
        }
    }

    private static List<int> NodePids(string readyLine) =>
        NodePid().Matches(readyLine).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

    [GeneratedRegex(@"api(\d+)@")]
    private static partial Regex NodePid();
}
