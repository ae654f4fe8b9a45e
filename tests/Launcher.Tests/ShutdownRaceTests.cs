using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// The end of a run while things still happen: one slot failing while the others run, a SIGHUP during the
/// stop, a replacement that cannot be spawned, a rolling restart whose new version does not come up.
/// </summary>
[TestFixture]
public sealed class ShutdownRaceTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    [Test, CancelAfter(150_000)]
    public async Task A_crash_loop_in_one_slot_reports_every_healthy_worker_as_stopped_not_crashed(CancellationToken cancellationToken)
    {
        // Arrange: eight workers; once the "crash" flag exists, the worker in slot 0 (and only it) crashes 1.5 s
        // after each start. The flag comes after ready, so a slow start-up is never a failed verification.
        await using var sandbox = new Sandbox();
        string[] command =
        [
            "/bin/sh", "-c",
            "if [ \"$0\" = 0 ] && [ -e \"$2/crash\" ]; then exec \"$1\" --tick-seconds 1 --crash-after 1.5; else exec \"$1\" --tick-seconds 1; fi",
            "{index}", Repo.SampleWorkerExe, sandbox.Dir,
        ];
        Supervision.WriteConfig(sandbox, workers: 8, command,
            restart: new { initialDelaySeconds = 0.1, maxDelaySeconds = 0.2, crashLoopCount = 3, crashLoopWindowSeconds = 60 },
            onWorkerExit: new { command = (string[])["/bin/sh", "-c", "touch \"$0/hook-$LAUNCHER_WORKER_INDEX-$LAUNCHER_WORKER_PID-$LAUNCHER_EXIT_REASON\"", sandbox.Dir] });
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var ready = await launcher.WaitForLineAsync("ready:", StartDeadline, cancellationToken);
        var pids = Supervision.PidsInReadyLine(ready);
        foreach (var pid in pids)
            sandbox.Processes.Track(pid);

        // Act: slot 0's worker dies; its replacements crash until the slot is a crash loop.
        File.WriteAllText(Path.Combine(sandbox.Dir, "crash"), "");
        Assert.That(ProcessProbe.Signal(pids[0], Signals.SIGKILL), Is.True);
        var exitCode = await launcher.WaitForExitAsync(TimeSpan.FromSeconds(90), cancellationToken);

        // Assert
        foreach (var pid in Supervision.StartedPids(launcher))
            sandbox.Processes.Track(pid);
        var hooks = Directory.GetFiles(sandbox.Dir, "hook-*").Select(f => Path.GetFileName(f).Split('-')).ToList();
        var healthy = hooks.Where(parts => parts[1] != "0").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(5), launcher.Output);
            Assert.That(launcher.StderrLines.Any(l => l.Contains("worker slot #0", StringComparison.Ordinal)), Is.True, "the message names the slot");
            Assert.That(healthy, Has.Count.EqualTo(7), "one hook run per healthy worker: " + string.Join(", ", hooks.Select(h => string.Join('-', h))));
            Assert.That(healthy.Select(parts => parts[3]), Has.All.EqualTo("stopped"), "the launcher's own SIGTERM is no crash");
            Assert.That(hooks.Where(parts => parts[1] == "0").Select(parts => parts[3]), Has.All.EqualTo("crashed"));
            Assert.That(launcher.StderrLines.Where(l => l.Contains("(crashed)", StringComparison.Ordinal) && l.Contains("SIGTERM", StringComparison.Ordinal)), Is.Empty,
                "no slot took the stop's SIGTERM for a crash");
            Assert.That(launcher.StderrLines.Where(l => l.Contains("Restarting worker #", StringComparison.Ordinal) && !l.Contains("worker #0 ", StringComparison.Ordinal)), Is.Empty,
                "no healthy slot restarted during the stop");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(90_000)]
    public async Task A_SIGHUP_during_the_stop_does_not_end_the_launcher_before_its_workers(CancellationToken cancellationToken)
    {
        // Arrange: workers that ignore SIGTERM keep the stop busy for the whole grace period.
        await using var sandbox = new Sandbox();
        Supervision.WriteConfig(sandbox, workers: 2, [Repo.SampleWorkerExe, "--tick-seconds", "1", "--ignore-sigterm"],
            onWorkerExit: new { command = (string[])["/bin/sh", "-c", "touch \"$0/hook-$LAUNCHER_WORKER_PID-$LAUNCHER_EXIT_REASON\"", sandbox.Dir] },
            stopGraceSeconds: 3);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var ready = await launcher.WaitForLineAsync("ready:", StartDeadline, cancellationToken);
        var pids = Supervision.PidsInReadyLine(ready);
        foreach (var pid in pids)
            sandbox.Processes.Track(pid);

        // Act: SIGTERM, then a reload while the workers are still inside their grace period.
        launcher.Signal(Signals.SIGTERM);
        await launcher.WaitForLineAsync("Stopping", Deadline, cancellationToken);
        launcher.Signal(Signals.SIGHUP);
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert
        var hooks = Directory.GetFiles(sandbox.Dir, "hook-*").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), launcher.Output);
            Assert.That(hooks, Is.EqualTo(pids.Select(pid => $"hook-{pid}-stopped").Order(StringComparer.Ordinal)), "the hook ran for every worker");
            Assert.That(File.Exists(sandbox.Paths.StatusFile), Is.False, "the status file is removed");
            Assert.That(pids.Where(ProcessProbe.IsAlive), Is.Empty);
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(90_000)]
    public async Task A_replacement_that_cannot_be_spawned_counts_as_a_crash_of_its_slot(CancellationToken cancellationToken)
    {
        // Arrange: the working directory exists at start and is removed after ready.
        await using var sandbox = new Sandbox();
        var workDir = Path.Combine(sandbox.Dir, "work");
        Directory.CreateDirectory(workDir);
        sandbox.WriteConfig(new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["instance"] = sandbox.Instance,
            ["command"] = (string[])[Repo.SampleWorkerExe, "--tick-seconds", "1"],
            ["workers"] = 1,
            ["logDir"] = Path.Combine(sandbox.Dir, "logs"),
            ["workingDirectory"] = workDir,
            ["restart"] = new { initialDelaySeconds = 0.1, maxDelaySeconds = 0.2, crashLoopCount = 3, crashLoopWindowSeconds = 60 },
        });
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var ready = await launcher.WaitForLineAsync("ready:", StartDeadline, cancellationToken);
        var first = Supervision.PidsInReadyLine(ready).Single();
        sandbox.Processes.Track(first);

        // Act
        Directory.Delete(workDir);
        Assert.That(ProcessProbe.Signal(first, Signals.SIGKILL), Is.True);
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert: a crash loop of that slot (exit 5) that says why, not an unexpected error (exit 1).
        foreach (var pid in Supervision.StartedPids(launcher))
            sandbox.Processes.Track(pid);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(5), launcher.Output);
            Assert.That(launcher.Output, Does.Contain("could not start a replacement"));
            Assert.That(launcher.Output, Does.Contain("crash loop: worker slot #0"));
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(120_000)]
    public async Task A_rolling_restart_stops_at_the_first_replacement_that_does_not_come_up(CancellationToken cancellationToken)
    {
        // Arrange: three workers; once the "broken" flag exists, a new worker exits at once (a bad deploy).
        await using var sandbox = new Sandbox();
        var broken = Path.Combine(sandbox.Dir, "broken");
        string[] command =
        [
            "/bin/sh", "-c", "if [ -e \"$0\" ]; then echo broken new version; exit 1; fi; exec \"$1\" --tick-seconds 1",
            broken, Repo.SampleWorkerExe,
        ];
        Supervision.WriteConfig(sandbox, workers: 3, command,
            restart: new { initialDelaySeconds = 0.5, maxDelaySeconds = 1, crashLoopCount = 1000, crashLoopWindowSeconds = 60 });
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var ready = await launcher.WaitForLineAsync("ready:", StartDeadline, cancellationToken);
        var pids = Supervision.PidsInReadyLine(ready);
        foreach (var pid in pids)
            sandbox.Processes.Track(pid);

        // Act
        File.WriteAllText(broken, "");
        launcher.Signal(Signals.SIGHUP);
        await launcher.WaitForLineAsync("rolling restart stopped", Deadline, cancellationToken);

        // Assert: only the first was replaced; the other two still run the version that works.
        var alive = pids.Where(ProcessProbe.IsAlive).ToList();
        foreach (var pid in Supervision.StartedPids(launcher))
            sandbox.Processes.Track(pid);
        Assert.That(alive, Has.Count.EqualTo(2), launcher.Output);

        launcher.Signal(Signals.SIGTERM);
        Assert.That(await launcher.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_runtime_directory_too_long_for_unix_sockets_is_refused_before_any_worker_starts(CancellationToken cancellationToken)
    {
        // Arrange: a runtime directory whose socket paths would pass the kernel's 108-byte limit.
        await using var sandbox = new Sandbox();
        var longDir = Path.Combine(sandbox.Dir, new string('r', 100));
        Supervision.WriteConfig(sandbox, workers: 1, [Repo.SampleWorkerExe, "--tick-seconds", "1"]);

        // Act
        await using var launcher = LauncherProcess.Start(sandbox, ["run"], environment: new Dictionary<string, string?> { ["LAUNCHER_RUNTIME_DIR"] = longDir });
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2), launcher.Output);
            Assert.That(launcher.Output, Does.Contain("too long for Unix sockets").And.Contain("LAUNCHER_RUNTIME_DIR"));
            Assert.That(Supervision.StartedPids(launcher), Is.Empty, "no worker was started");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }
}
