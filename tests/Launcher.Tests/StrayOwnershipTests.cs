using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Who owns a worker: a worker whose guard names a live launcher, or that descends from one, is never a stray
/// (not for `run`, not for `strays --kill`, not for `status`), a stray pattern never adds a launcher process or
/// another instance's worker, and a registration that cannot name its process is stale instead of a crash.
/// In pid namespaces of their own (two sandboxes of one test share one, so their launchers see each other).
/// </summary>
[TestFixture]
public sealed class StrayOwnershipTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(90_000)]
    public async Task A_second_launcher_of_the_same_instance_in_another_runtime_dir_exits_3_naming_the_first_whose_worker_survives(CancellationToken cancellationToken)
    {
        // Arrange: two sandboxes (two runtime dirs), one instance name in both configs; the first runs.
        await using var first = await Sandbox.InPidNamespaceAsync(cancellationToken);
        await using var second = Sandbox.SharingNamespaceOf(first);
        (LauncherConfig.SampleWorkers(1) with { Instance = first.Instance }).WriteTo(second);
        await using var running = await LauncherRun.StartAsync(first, LauncherConfig.SampleWorkers(1), cancellationToken: cancellationToken);
        var worker = running.Workers.Single().Identity;

        // Act
        var status = await LauncherCli.RunAsync(second, ["status", "--json"], cancellationToken: cancellationToken);
        var strays = await StrayProcesses.ReportAsync(second, kill: true, cancellationToken);
        await using var rival = LauncherProcess.Start(second, ["run"]);
        var exitCode = await rival.WaitForExitAsync(StartDeadline, cancellationToken);
        running.Observe();

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(3), rival.Output);
            Assert.That(rival.Output, Does.Contain($"already run by launcher pid {running.Process.PidInside}"), rival.Output);
            Assert.That(rival.Output, Does.Contain(first.RuntimeDir), "the message names the first launcher's runtime dir");
            Assert.That(worker.IsAlive, Is.True, "the first launcher's worker survives");
            Assert.That(running.Process.HasExited, Is.False, "the first launcher runs on");
            Assert.That(strays.Strays, Is.Empty, strays.Raw);
            Assert.That(strays.Killed, Is.Empty, strays.Raw);
            Assert.That(WorkerStates(status), Is.EqualTo(new[] { $"supervised by pid {running.Process.PidInside}" }), status.ToString());
        });

        Assert.That(await running.StopAsync(cancellationToken), Is.EqualTo(0), running.Output);
        Assert.That(first.Survivors().Concat(second.Survivors()), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task Strays_kill_with_a_pattern_matching_a_launchers_config_path_kills_neither_the_launcher_nor_its_watchdog_nor_its_worker(CancellationToken cancellationToken)
    {
        // Arrange: patterns that match the running launcher's own command line and its watchdog's.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        (LauncherConfig.SampleWorkers(1) with { StrayPatterns = [Regex.Escape(sandbox.ConfigPath), $"__watchdog {sandbox.Instance}:"] }).WriteTo(sandbox);
        await using var launcher = await LauncherRun.StartAsync(sandbox, args: ["--config", sandbox.ConfigPath], cancellationToken: cancellationToken);
        var watchdog = Identity.Of(Supervision.Watchdog(launcher.Pid) ?? 0);
        var worker = launcher.Workers.Single().Identity;
        var self = Identity.Of(launcher.Pid);

        // Act
        var report = await StrayProcesses.ReportAsync(sandbox, kill: true, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(report.ExitCode, Is.EqualTo(0), report.Raw);
            Assert.That(report.Strays, Is.Empty, report.Raw);
            Assert.That(report.Killed, Is.Empty, report.Raw);
            Assert.That(self.IsAlive, Is.True, "the launcher survives");
            Assert.That(watchdog.IsAlive, Is.True, "its watchdog survives");
            Assert.That(worker.IsAlive, Is.True, "its worker survives");
        });

        Assert.That(await launcher.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_pattern_matching_the_worker_of_another_instance_does_not_kill_it(CancellationToken cancellationToken)
    {
        // Arrange: a worker of instance "reports" (its own sandbox); "emails" has a pattern matching exactly it.
        await using var reports = await Sandbox.InPidNamespaceAsync(cancellationToken);
        await using var emails = Sandbox.SharingNamespaceOf(reports);
        LauncherConfig.SampleWorkers(1).WriteTo(reports);
        var unique = RandomNumberGenerator.GetInt32(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        var other = await StrayProcesses.StartWorkerAsync(reports, ["--exit-after", "86" + unique], cancellationToken: cancellationToken);
        await using var _ = other;
        var worker = Identity.Of(other.Pid);
        (LauncherConfig.SampleWorkers(1) with { StrayPatterns = [$"SampleWorker.*--exit-after 86{unique}"] }).WriteTo(emails);

        // Act
        var report = await StrayProcesses.ReportAsync(emails, kill: true, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(report.ExitCode, Is.EqualTo(0), report.Raw);
            Assert.That(report.Strays, Is.Empty, report.Raw);
            Assert.That(worker.IsAlive, Is.True, "another instance's worker survives");
        });

        await reports.DisposeAsync();
        Assert.That(worker.IsAlive, Is.False);
    }

    [Test, CancelAfter(60_000)]
    public async Task An_incomplete_registration_crashes_no_command_and_is_removed_by_strays_kill(CancellationToken cancellationToken)
    {
        // Arrange: a registration without "node" (and one with pid 0).
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        Directory.CreateDirectory(sandbox.Paths.WorkersDir);
        var noNode = Path.Combine(sandbox.Paths.WorkersDir, "4194301.json");
        File.WriteAllText(noNode, """{"pid":4194301,"startTicks":12345,"socket":"/nonexistent.sock"}""");
        var noPid = Path.Combine(sandbox.Paths.WorkersDir, "4194302.json");
        File.WriteAllText(noPid, """{"node":"api0@nowhere","pid":0,"startTicks":0,"socket":"/nonexistent.sock"}""");

        // Act
        var status = await LauncherCli.RunAsync(sandbox, ["status", "--json"], cancellationToken: cancellationToken);
        var ping = await LauncherCli.RunAsync(sandbox, ["ping", "--json"], cancellationToken: cancellationToken);
        var listed = await StrayProcesses.ReportAsync(sandbox, kill: false, cancellationToken);
        var killed = await StrayProcesses.ReportAsync(sandbox, kill: true, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(status.ExitCode, Is.EqualTo(0), status.ToString());
            Assert.That(ping.Stderr, Does.Not.Contain("ArgumentNullException"), ping.ToString());
            Assert.That(ping.ExitCode, Is.Not.EqualTo(1), ping.ToString());
            Assert.That(listed.ExitCode, Is.EqualTo(0), listed.Raw);
            Assert.That(listed.Raw, Does.Contain("incomplete registration"), listed.Raw);
            Assert.That(killed.ExitCode, Is.EqualTo(0), killed.Raw);
            Assert.That(File.Exists(noNode), Is.False, "the registration without a node is removed");
            Assert.That(File.Exists(noPid), Is.False, "the registration with pid 0 is removed");
        });
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_registration_without_boot_id_naming_an_unmarked_silent_process_is_stale_and_the_process_survives(CancellationToken cancellationToken)
    {
        // Arrange: a live `sleep` of ours with the right pid and start ticks, as after a reboot that reused both.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        await using var sleeper = await StrayProcesses.StartAsync(sandbox, "sleep", ["3603"], "sleep 3603", cancellationToken: cancellationToken);
        var bystander = Identity.Of(sleeper.Pid);
        var file = StrayProcesses.WriteRegistration(sandbox, new WorkerRegistration(
            $"api{sleeper.PidInside}@before-reboot", sleeper.PidInside, bystander.StartTicks!.Value, sandbox.Paths.SocketFile(sleeper.PidInside)));

        // Act
        var report = await StrayProcesses.ReportAsync(sandbox, kill: true, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(report.ExitCode, Is.EqualTo(0), report.Raw);
            Assert.That(report.Strays, Is.Empty, report.Raw);
            Assert.That(report.Raw, Does.Contain("cannot prove identity across reboots"), report.Raw);
            Assert.That(File.Exists(file), Is.False, "the unproven registration is removed");
            Assert.That(bystander.IsAlive, Is.True, "the process it names is not killed");
        });

        await sandbox.DisposeAsync();
        Assert.That(bystander.IsAlive, Is.False);
    }

    [Test, CancelAfter(60_000)]
    public async Task Status_and_strays_agree_that_a_starting_launchers_worker_is_not_a_stray(CancellationToken cancellationToken)
    {
        // Arrange: a worker that takes 3 s to get ready, so the launcher is still starting when we look.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        LauncherConfig.SampleWorkers(1, "--ready-delay", "3").WriteTo(sandbox);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        await launcher.WaitForLineAsync("Started worker", StartDeadline, cancellationToken);

        // Act
        var status = await LauncherCli.RunAsync(sandbox, ["status", "--json"], cancellationToken: cancellationToken);
        var strays = await StrayProcesses.ReportAsync(sandbox, kill: false, cancellationToken);
        var stillStarting = !launcher.Output.Contains("ready: 1/1", StringComparison.Ordinal);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(WorkerStates(status), Is.EqualTo(new[] { "supervised" }), status.ToString());
            Assert.That(strays.Strays, Is.Empty, strays.Raw);
        });
        if (!stillStarting)
            Assert.Warn("the launcher was ready before status looked; the start-up window was not exercised");

        await launcher.WaitForLineAsync("ready: 1/1", StartDeadline, cancellationToken);
        launcher.Signal(Signals.SIGTERM);
        Assert.That(await launcher.WaitForExitAsync(StartDeadline, cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    private static List<string> WorkerStates(CliResult status)
    {
        using var json = JsonDocument.Parse(status.Stdout);
        return json.RootElement.GetProperty("workers").EnumerateArray().Select(w => w.GetProperty("state").GetString() ?? "").ToList();
    }
}
