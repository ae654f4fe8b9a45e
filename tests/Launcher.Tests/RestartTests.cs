using System.Globalization;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 4, restart policy and crash loop, end to end: a worker that dies is replaced by a new process with its
/// own node name; one that keeps dying stops the instance with exit code 5 and a message that says why.
/// </summary>
[TestFixture]
public sealed class RestartTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Test, CancelAfter(90_000)]
    public async Task A_worker_killed_with_SIGKILL_is_replaced_by_a_new_process_that_alone_answers(CancellationToken cancellationToken)
    {
        // Arrange: the worker's child holds its stdout pipe open after the worker dies; the exit must be seen anyway.
        await using var sandbox = new Sandbox();
        var config = LauncherConfig.SampleWorkers(1, "--spawn-grandchild") with { Restart = new { initialDelaySeconds = 0.1 } };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var launcher = run.Process;
        var first = run.Workers.Single().Pid;
        var firstTree = ProcessProbe.PidsWithMarker(sandbox.Instance);
        Assert.That(firstTree, Has.Count.EqualTo(2), "the worker and its child run");

        // Act
        Assert.That(ProcessProbe.Signal(first, Signals.SIGKILL), Is.True);

        // Assert: noticed (with the signal), replaced by a new pid, and only the new one answers.
        var ended = await launcher.WaitForLineAsync($"#{first} ended:", Deadline, cancellationToken);
        var started = await launcher.WaitForLineAsync(
            line => line.Contains("Started worker", StringComparison.Ordinal) && !line.Contains($"(pid {first})", StringComparison.Ordinal),
            Deadline, cancellationToken);
        var second = Supervision.StartedPids(launcher)[^1];
        run.Observe();
        PingSnapshot ping = null!;
        await Supervision.EventuallyAsync(launcher, async () => (ping = await Supervision.PingAsync(sandbox, cancellationToken)).IsExactlyOne(second),
            Deadline, "launcher ping --json finds exactly one worker, the replacement, answering", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(ended, Does.Contain("signal 9 (SIGKILL)"));
            Assert.That(second, Is.Not.EqualTo(first));
            Assert.That(started, Does.Contain($"api{second}@").And.Contain($"worker_{second}.log"), "a fresh node name and log file");
            Assert.That(ping.Answering.Single().Node, Does.StartWith($"api{second}@"));
            Assert.That(firstTree.Where(ProcessProbe.IsAlive), Is.Empty, "the dead worker's child is gone too");
            Assert.That(File.Exists(Path.Combine(sandbox.LogDir, $"worker_{second}.log")), Is.True);
        });

        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(90_000)]
    public async Task Workers_that_keep_crashing_stop_the_instance_with_exit_code_5_naming_the_worker_and_its_last_lines(CancellationToken cancellationToken)
    {
        // Arrange: two workers that, once the file "crash" exists, crash 3 s after start; 3 crashes within 60 s is a
        // loop. The file comes after ready, so a slow start-up is never a failed verification.
        await using var sandbox = new Sandbox();
        var config = LauncherConfig.SampleWorkers(2, "--crash-after", "3", "--only-if-exists", Path.Combine(sandbox.Dir, "crash")) with
        {
            Restart = new { initialDelaySeconds = 0.1, maxDelaySeconds = 0.2, crashLoopCount = 3, crashLoopWindowSeconds = 60 },
            OnWorkerExit = new { command = (string[])["/bin/sh", "-c", "touch \"$0/hook-$LAUNCHER_WORKER_PID-$LAUNCHER_EXIT_REASON\"", sandbox.Dir] },
        };

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        run.ExpectExitCode(5);
        var launcher = run.Process;
        File.WriteAllText(Path.Combine(sandbox.Dir, "crash"), "");
        foreach (var worker in run.Workers)
            Assert.That(ProcessProbe.Signal(worker.Pid, Signals.SIGKILL), Is.True);
        var exitCode = await launcher.WaitForExitAsync(TimeSpan.FromSeconds(60), cancellationToken);

        // Assert
        var started = Supervision.StartedPids(launcher);
        foreach (var pid in started)
            sandbox.Processes.Track(pid);
        var message = launcher.StderrLines.LastOrDefault(line => line.Contains("crash loop", StringComparison.Ordinal)) ?? "";
        var hookRuns = Directory.GetFiles(sandbox.Dir, "hook-*").Select(f => Path.GetFileName(f).Split('-')[1]).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(5), launcher.Output);
            Assert.That(started, Has.Count.GreaterThanOrEqualTo(3), "the first crashes were restarted");
            Assert.That(message, Does.Contain("3 unexpected exits within 60 s"), launcher.Output);
            Assert.That(started.Any(pid => message.Contains($"api{pid}@", StringComparison.Ordinal)), Is.True, "the message names the worker");
            Assert.That(message, Does.Contain("exit code 3"), "the message says how it ended");
            Assert.That(message, Does.Contain("crashing with exit code 3"), "the message quotes its last output lines");
            Assert.That(started.Where(ProcessProbe.IsAlive), Is.Empty, "the other worker was stopped");
            Assert.That(hookRuns.Order(StringComparer.Ordinal), Is.EqualTo(started.Select(p => p.ToString(CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal)),
                "the exit hook ran exactly once for every worker that ended, the last crashed one included");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(120_000)]
    public async Task Five_healthy_workers_killed_at_once_are_replaced_not_taken_for_a_crash_loop(CancellationToken cancellationToken)
    {
        // Arrange: a crash loop is 3 exits of one slot; one correlated event ends all five workers once.
        await using var sandbox = new Sandbox();
        var config = LauncherConfig.SampleWorkers(5) with
        {
            Restart = new { initialDelaySeconds = 0.1, maxDelaySeconds = 0.2, crashLoopCount = 3, crashLoopWindowSeconds = 60 },
        };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var launcher = run.Process;
        var first = run.Workers.Select(w => w.Pid).ToList();

        // Act
        foreach (var pid in first)
            ProcessProbe.Signal(pid, Signals.SIGKILL);

        // Assert: five replacements answer and the launcher is still running.
        await Supervision.EventuallyAsync(launcher, () =>
        {
            var replacements = Supervision.StartedPids(launcher).Except(first).ToList();
            foreach (var pid in replacements)
                sandbox.Processes.Track(pid);
            return Task.FromResult(replacements.Count(ProcessProbe.IsAlive) == 5);
        }, TimeSpan.FromSeconds(60), "five replacements run", cancellationToken);
        Assert.That(launcher.HasExited, Is.False, launcher.Output);
        Assert.That(launcher.Output, Does.Not.Contain("crash loop"));

        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(90_000)]
    public async Task A_worker_that_fails_with_restarts_disabled_ends_the_launcher_with_exit_code_1_saying_so(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var config = LauncherConfig.SampleWorkers(1, "--crash-after", "1") with { Restart = new { enabled = false } };

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        run.ExpectExitCode(1);
        var launcher = run.Process;
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert
        foreach (var pid in Supervision.StartedPids(launcher))
            sandbox.Processes.Track(pid);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1), launcher.Output);
            Assert.That(launcher.StderrLines.Any(l => l.Contains("exited with exit code 3 and is not restarted (restart.enabled=false)", StringComparison.Ordinal)), Is.True, launcher.Output);
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(90_000)]
    public async Task The_crash_loop_message_quotes_the_last_line_a_worker_wrote_before_it_died(CancellationToken cancellationToken)
    {
        // Arrange: a SampleWorker first (so the instance gets ready), then replacements that print more than a pipe
        // holds and exit at once: their exit event comes while the last lines are still in the pipe.
        await using var sandbox = new Sandbox();
        string[] command =
        [
            "/bin/sh", "-c",
            "if mkdir \"$0/started\" 2>/dev/null; then exec \"$1\" --tick-seconds 1 --crash-after 1; fi; seq 1 30000; echo \"final words of $$\"; exit 7",
            sandbox.Dir, Repo.SampleWorkerExe,
        ];
        var config = new LauncherConfig
        {
            Command = command,
            Restart = new { initialDelaySeconds = 0.1, maxDelaySeconds = 0.2, crashLoopCount = 4, crashLoopWindowSeconds = 60 },
        };

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        run.ExpectExitCode(5);
        var launcher = run.Process;
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert
        foreach (var pid in Supervision.StartedPids(launcher))
            sandbox.Processes.Track(pid);
        var message = launcher.StderrLines.LastOrDefault(line => line.Contains("crash loop", StringComparison.Ordinal)) ?? "";
        var last = Supervision.StartedPids(launcher)[^1];
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(5), launcher.Output);
            Assert.That(message, Does.Contain($"final words of {last}"), launcher.Output);
            Assert.That(File.ReadAllText(Path.Combine(sandbox.LogDir, $"worker_{last}.log")), Does.Contain($"final words of {last}"), "the log file has it too");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }
}
