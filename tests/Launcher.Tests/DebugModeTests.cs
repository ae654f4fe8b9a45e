using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 6, `launcher run --debug`: one worker whatever the config says, its output on the launcher's console,
/// no restart when it ends; and a worker that waits for a debugger says which pid to attach to.
/// </summary>
[TestFixture]
public sealed class DebugModeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(60_000)]
    public async Task Debug_mode_runs_one_worker_echoes_its_output_and_exits_0_without_restarting_it(CancellationToken cancellationToken)
    {
        // Arrange: three workers configured; each exits cleanly 3 s after it starts.
        await using var sandbox = new Sandbox();
        var config = LauncherConfig.SampleWorkers(3, "--exit-after", "3") with { StopGraceSeconds = 5 };

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, config, args: ["--debug"], cancellationToken: cancellationToken);
        var launcher = run.Process;
        var (node, pid) = (run.Workers.Single().Node, run.Workers.Single().Pid);
        var exitCode = await run.WaitForExitAsync(cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), launcher.Output);
            Assert.That(ReadyLine.Counts(run.Ready), Is.EqualTo((1, 1)), run.Ready);
            Assert.That(Directory.GetFiles(sandbox.LogDir, "worker_*.log").Select(Path.GetFileName), Is.EqualTo(new[] { $"worker_{pid}.log" }),
                "one worker (one log per worker pid), never restarted");
            Assert.That(launcher.StdoutLines, Has.Some.StartsWith($"[{node}] Ready. pid={pid}"), "the worker's stdout on the console");
            Assert.That(launcher.StdoutLines, Has.Some.StartsWith($"[{node}] stderr check from pid {pid}"), "and its stderr");
            Assert.That(launcher.StdoutLines, Has.Some.StartsWith($"[{node}] work done, exiting cleanly"));
            Assert.That(File.ReadAllText(Path.Combine(sandbox.LogDir, $"worker_{pid}.log")), Does.Contain($"Ready. pid={pid}"), "and in its log file");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_worker_asked_to_wait_for_a_debugger_prints_its_pid_and_waits(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 2 }).WriteTo(sandbox);

        // Act
        await using var launcher = LauncherProcess.Start(
            sandbox, ["run", "--debug"], environment: new Dictionary<string, string?> { [EnvironmentNames.WaitForDebugger] = "1" });
        var waiting = await launcher.WaitForLineAsync("Waiting for a debugger to attach to pid", Deadline, cancellationToken);
        var pid = ProcessProbe.DescendantsOf(launcher.Pid).Single(p => ProcessProbe.CommandLine(p)?.StartsWith(Repo.SampleWorkerExe, StringComparison.Ordinal) == true);
        sandbox.Processes.Track(pid);
        var ping = await LauncherCli.RunAsync(sandbox, ["ping", "--json"], Deadline, cancellationToken: cancellationToken);

        // Assert: the pid to attach to is the worker's; it has not started working (nor registered) yet.
        Assert.Multiple(() =>
        {
            Assert.That(waiting, Does.StartWith($"[api{pid}@").And.Contain($"attach to pid {pid} "));
            Assert.That(ProcessProbe.IsAlive(pid), Is.True);
            Assert.That(launcher.Output, Does.Not.Contain("Ready.").And.Not.Contain("ready:"), "still waiting");
            Assert.That(ping.ExitCode, Is.EqualTo(4), "nobody answers yet: " + ping);
        });

        // A debug session ends like any other.
        launcher.Signal(Signals.SIGTERM);
        Assert.That(await launcher.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }
}
