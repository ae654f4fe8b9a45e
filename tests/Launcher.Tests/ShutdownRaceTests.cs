using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// The end of a run while things still happen: one slot failing while the others run, a SIGHUP during the
/// stop, a replacement that cannot be spawned, a rolling restart whose new version does not come up. Each in a
/// pid namespace of its own: every one of them ends in the launcher's kill path.
/// </summary>
[TestFixture]
public sealed class ShutdownRaceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    [Test, CancelAfter(150_000)]
    public async Task A_crash_loop_in_one_slot_reports_every_healthy_worker_as_stopped_not_crashed(CancellationToken cancellationToken)
    {
        // Arrange: eight workers; once the file crash-0 exists, the worker in slot 0 (and only it) crashes 1.5 s
        // after each start. The file comes after ready, so a slow start-up is never a failed verification.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        var config = LauncherConfig.SampleWorkers(8, "--crash-after", "1.5", "--only-if-exists", Path.Combine(sandbox.Dir, "crash-{index}")) with
        {
            Restart = new { initialDelaySeconds = 0.1, maxDelaySeconds = 0.2, crashLoopCount = 3, crashLoopWindowSeconds = 60 },
            OnWorkerExit = new { command = (string[])["/bin/sh", "-c", "touch \"$0/hook-$LAUNCHER_WORKER_INDEX-$LAUNCHER_WORKER_PID-$LAUNCHER_EXIT_REASON\"", sandbox.Dir] },
        };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        run.ExpectExitCode(5);

        // Act: slot 0's worker dies; its replacements crash until the slot is a crash loop.
        File.WriteAllText(Path.Combine(sandbox.Dir, "crash-0"), "");
        Assert.That(ProcessProbe.Signal(run.Workers[0].Pid, Signals.SIGKILL), Is.True);
        var exitCode = await run.Process.WaitForExitAsync(TimeSpan.FromSeconds(90), cancellationToken);

        // Assert: facts first (exit code, one hook per ended worker with the reason the launcher gave it); then the
        // log lines, read from both streams (the console sink's stream is the run reporter's choice), with a
        // positive control so that "no such line" cannot pass merely because the lines went elsewhere.
        var hooks = Directory.GetFiles(sandbox.Dir, "hook-*").Select(f => Path.GetFileName(f).Split('-')).ToList();
        var healthy = hooks.Where(parts => parts[1] != "0").ToList();
        var lines = run.Process.StdoutLines.Concat(run.Process.StderrLines).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(5), run.Output);
            Assert.That(run.Process.StderrLines.Any(l => l.Contains("worker slot #0", StringComparison.Ordinal)), Is.True, "the message names the slot");
            Assert.That(healthy, Has.Count.EqualTo(7), "one hook run per healthy worker, none restarted: " + string.Join(", ", hooks.Select(h => string.Join('-', h))));
            Assert.That(healthy.Select(parts => parts[3]), Has.All.EqualTo("stopped"), "the launcher's own SIGTERM is no crash");
            Assert.That(hooks.Where(parts => parts[1] == "0").Select(parts => parts[3]), Has.All.EqualTo("crashed"));
            Assert.That(lines.Where(l => l.Contains("Restarting worker #0 ", StringComparison.Ordinal)), Is.Not.Empty,
                "control: the restart log lines are where the next two assertions look");
            Assert.That(lines.Where(l => l.Contains("(crashed)", StringComparison.Ordinal) && l.Contains("SIGTERM", StringComparison.Ordinal)), Is.Empty,
                "no slot took the stop's SIGTERM for a crash");
            Assert.That(lines.Where(l => l.Contains("Restarting worker #", StringComparison.Ordinal) && !l.Contains("worker #0 ", StringComparison.Ordinal)), Is.Empty,
                "no healthy slot restarted during the stop");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(90_000)]
    public async Task A_SIGHUP_during_the_stop_does_not_end_the_launcher_before_its_workers(CancellationToken cancellationToken)
    {
        // Arrange: workers that ignore SIGTERM keep the stop busy for the whole grace period.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        var config = LauncherConfig.SampleWorkers(2, "--ignore-sigterm") with
        {
            OnWorkerExit = new { command = (string[])["/bin/sh", "-c", "touch \"$0/hook-$LAUNCHER_WORKER_PID-$LAUNCHER_EXIT_REASON\"", sandbox.Dir] },
            StopGraceSeconds = 3,
        };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);

        // Act: SIGTERM, then a reload while the workers are still inside their grace period.
        run.Observe();
        run.Process.Signal(Signals.SIGTERM);
        await run.WaitForLineAsync("Stopping", cancellationToken);
        run.Process.Signal(Signals.SIGHUP);
        var exitCode = await run.WaitForExitAsync(cancellationToken);

        // Assert
        var hooks = Directory.GetFiles(sandbox.Dir, "hook-*").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), run.Output);
            Assert.That(hooks, Is.EqualTo(run.Workers.Select(w => $"hook-{w.PidInside}-stopped").Order(StringComparer.Ordinal)), "the hook ran for every worker");
            Assert.That(File.Exists(sandbox.Paths.StatusFile), Is.False, "the status file is removed");
            Assert.That(run.Survivors(), Is.Empty);
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(90_000)]
    public async Task A_replacement_that_cannot_be_spawned_counts_as_a_crash_of_its_slot(CancellationToken cancellationToken)
    {
        // Arrange: the working directory exists at start and is removed after ready.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        var workDir = Path.Combine(sandbox.Dir, "work");
        Directory.CreateDirectory(workDir);
        var config = LauncherConfig.SampleWorkers(1) with
        {
            LogDir = Path.Combine(sandbox.Dir, "logs"),
            WorkingDirectory = workDir,
            Restart = new { initialDelaySeconds = 0.1, maxDelaySeconds = 0.2, crashLoopCount = 3, crashLoopWindowSeconds = 60 },
        };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        run.ExpectExitCode(5);

        // Act
        Directory.Delete(workDir);
        Assert.That(ProcessProbe.Signal(run.Workers.Single().Pid, Signals.SIGKILL), Is.True);
        var exitCode = await run.WaitForExitAsync(cancellationToken);

        // Assert: a crash loop of that slot (exit 5) that says why, not an unexpected error (exit 1).
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(5), run.Output);
            Assert.That(run.Output, Does.Contain("could not start a replacement"));
            Assert.That(run.Output, Does.Contain("crash loop: worker slot #0"));
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(120_000)]
    public async Task A_rolling_restart_stops_at_the_first_replacement_that_does_not_come_up(CancellationToken cancellationToken)
    {
        // Arrange: three workers; once the "broken" file exists, a new worker exits at once (a bad deploy).
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        var broken = Path.Combine(sandbox.Dir, "broken");
        var config = LauncherConfig.SampleWorkers(3, "--fail-at-start", "--exit-code", "1", "--only-if-exists", broken) with
        {
            Restart = new { initialDelaySeconds = 0.5, maxDelaySeconds = 1, crashLoopCount = 1000, crashLoopWindowSeconds = 60 },
        };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);

        // Act
        File.WriteAllText(broken, "");
        run.Process.Signal(Signals.SIGHUP);
        await run.WaitForLineAsync("rolling restart stopped", cancellationToken);

        // Assert: only the first was replaced; the other two still run the version that works.
        Assert.That(run.Workers.Where(w => w.Identity.IsAlive).ToList(), Has.Count.EqualTo(2), run.Output);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_runtime_directory_too_long_for_unix_sockets_is_refused_before_any_worker_starts(CancellationToken cancellationToken)
    {
        // Arrange: a runtime directory whose socket paths would pass the kernel's 108-byte limit.
        await using var sandbox = new Sandbox();
        var longDir = Path.Combine(sandbox.Dir, new string('r', 100));
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);

        // Act
        await using var launcher = LauncherProcess.Start(sandbox, ["run"], environment: new Dictionary<string, string?> { ["LAUNCHER_RUNTIME_DIR"] = longDir });
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2), launcher.Output);
            Assert.That(launcher.Output, Does.Contain("too long for Unix sockets").And.Contain("LAUNCHER_RUNTIME_DIR"));
            Assert.That(ProcessProbe.PidsWithMarker(sandbox.Instance), Is.Empty, "no worker was started");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }
}
