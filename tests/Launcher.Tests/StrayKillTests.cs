using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Launcher.Agent.Protocol;
using Launcher.Kill;
using Launcher.Platform;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 3, killing strays: `launcher run` (and `launcher strays --kill`) leaves zero workers of its instance
/// before it spawns (orphans of a SIGKILLed launcher, hand-started workers, pattern matches), kills whole
/// trees with SIGTERM, a grace period and SIGKILL, and never touches anything else: another user's process,
/// a process that merely names the instance, a pid that now belongs to someone else, its own ancestors.
/// Every test that lets a launcher kill runs it in a pid namespace of its own, victims included.
/// </summary>
[TestFixture]
public sealed class StrayKillTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(90_000)]
    public async Task The_orphans_of_a_SIGKILLed_launcher_are_killed_by_the_next_run_which_then_verifies_exactly_one(CancellationToken cancellationToken)
    {
        // Arrange: two workers, each with a child in its tree and a grandchild that setsid'd out of it.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        await using var first = await LauncherRun.StartAsync(sandbox,
            LauncherConfig.SampleWorkers(2, "--spawn-grandchild", "--setsid-grandchild"), cancellationToken: cancellationToken);
        first.ExpectExitCode(128 + Signals.SIGKILL);
        IReadOnlyList<int> marked = [];
        await Eventually.TrueAsync(
            () => (marked = ProcessProbe.PidsWithMarker(sandbox.Instance)).Count(pid => ProcessProbe.CommandLine(pid) == "sleep 100000") == 2
                && marked.Count(pid => ProcessProbe.CommandLine(pid) == "sleep 100001") == 2,
            Deadline, "both workers started their child and their setsid grandchild", cancellationToken);
        var workers = marked.Where(pid => ProcessProbe.CommandLine(pid)?.Contains("SampleWorker", StringComparison.Ordinal) == true).ToList();
        var registrations = workers.Select(pid => sandbox.Paths.RegistrationFile(sandbox.SeenInside(pid))).ToList();
        var orphans = marked.Select(Identity.Of).ToList();
        foreach (var pid in marked)
            sandbox.Processes.Track(pid);

        // The watchdog would clean up after the launcher, and the launcher replaces a watchdog that dies: freeze it
        // (SIGSTOP is not a death the launcher notices), SIGKILL the launcher, then the frozen watchdog, so the
        // strays survive until the next run, as after a machine-wide SIGKILL of both.
        var watchdog = ProcessProbe.ChildrenOf(first.Pid).Single(pid => ProcessProbe.CommandLine(pid)?.Contains("__watchdog", StringComparison.Ordinal) == true);
        sandbox.Processes.Track(watchdog);
        Assert.That(ProcessProbe.Signal(watchdog, Signals.SIGSTOP), Is.True);
        first.Process.Signal(Signals.SIGKILL);
        await first.WaitForExitAsync(cancellationToken);
        Assert.That(ProcessProbe.Signal(watchdog, Signals.SIGKILL), Is.True);
        await Eventually.TrueAsync(() => !ProcessProbe.IsAlive(watchdog), Deadline, "the watchdog is gone", cancellationToken);
        var strays = orphans.Where(p => p.IsAlive).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(workers, Has.Count.EqualTo(2), "two SampleWorkers ran");
            Assert.That(strays.Count(p => ProcessProbe.CommandLine(p.Pid) is "sleep 100000" or "sleep 100001"), Is.EqualTo(4),
                "the four grandchildren outlived the launcher (its workers may be gone already: parent-death signal)");
        });

        // Act
        await using var second = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(1), cancellationToken: cancellationToken);

        // Assert: every orphan is gone, the dead workers' registrations were removed, and exactly one new worker runs.
        Assert.Multiple(() =>
        {
            Assert.That(orphans.Where(p => p.IsAlive), Is.Empty, "every worker and grandchild of the dead launcher is gone");
            Assert.That(second.Output, Does.Contain("Killed stray"), second.Output);
            Assert.That(registrations.Where(File.Exists), Is.Empty, "the dead workers' registrations are removed");
            Assert.That(StrayProcesses.SampleWorkerPids(sandbox.Instance), Is.EqualTo(second.Workers.Select(w => w.Pid)), "exactly one SampleWorker of the instance runs");
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_worker_started_without_a_launcher_makes_run_with_no_kill_exit_4_naming_it_and_is_killed_by_run(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        await using var stray = await StrayProcesses.StartWorkerAsync(sandbox, [], cancellationToken: cancellationToken);

        // Act 1: --no-kill refuses and names it.
        var refused = await LauncherCli.RunAsync(sandbox, ["run", "--no-kill"], cancellationToken: cancellationToken);

        // Assert 1: nothing was started, nothing killed.
        Assert.Multiple(() =>
        {
            Assert.That(refused.ExitCode, Is.EqualTo(4), refused.ToString());
            Assert.That(refused.Stderr, Does.Contain($"{stray.Node}#{stray.PidInside}"), refused.ToString());
            Assert.That(ProcessProbe.IsAlive(stray.Pid), Is.True, "--no-kill leaves the stray running");
            Assert.That(File.Exists(stray.RegistrationFile), Is.True, "--no-kill leaves its registration");
            Assert.That(StrayProcesses.SampleWorkerPids(sandbox.Instance), Is.EqualTo(new[] { stray.Pid }), "--no-kill started no worker");
        });

        // Act 2: a plain run kills it, then starts its own.
        await using var launcher = await LauncherRun.StartAsync(sandbox, cancellationToken: cancellationToken);

        // Assert 2: the stray ended by SIGTERM (it stopped gracefully), and its registration went with it.
        var strayExit = await stray.Process.WaitForExitAsync(Deadline, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(launcher.Workers.Select(w => w.Pid), Does.Not.Contain(stray.Pid), launcher.Ready);
            Assert.That(launcher.Output, Does.Contain($"Killed stray {stray.Node}#{stray.PidInside}: 1 process(es) ended by SIGTERM"), launcher.Output);
            Assert.That(strayExit, Is.EqualTo(0), stray.Process.Output);
            Assert.That(stray.Process.Output, Does.Contain("stopping gracefully"), stray.Process.Output);
            Assert.That(File.Exists(stray.RegistrationFile), Is.False, "the stray's registration is gone");
        });

        Assert.That(await launcher.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_pattern_match_is_killed_but_a_process_that_merely_names_the_instance_is_not(CancellationToken cancellationToken)
    {
        // Arrange: a hand-started SampleWorker (the configured program) the pattern names, and two processes whose
        // command lines contain the instance name. (A pattern match that does not run the configured program is never
        // killed: PatternCorroborationTests.)
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        var seconds = "1.4242" + RandomNumberGenerator.GetInt32(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        (LauncherConfig.SampleWorkers(1) with { StrayPatterns = [$"SampleWorker --tick-seconds {seconds}$"] }).WriteTo(sandbox);
        await using var matched = await StrayProcesses.StartAsync(sandbox, Repo.SampleWorkerExe, ["--tick-seconds", seconds],
            $"{Repo.SampleWorkerExe} --tick-seconds {seconds}", cancellationToken: cancellationToken);
        await using var shell = await StrayProcesses.StartAsync(sandbox, "/bin/sh", ["-c", $"sleep 3600; : {sandbox.Instance}"],
            $"/bin/sh -c sleep 3600; : {sandbox.Instance}", cancellationToken: cancellationToken);
        await using var renamed = await StrayProcesses.StartAsync(sandbox, "/bin/bash", ["-c", $"exec -a 'worker-of-{sandbox.Instance}' sleep 3601"],
            $"worker-of-{sandbox.Instance} 3601", cancellationToken: cancellationToken);
        await Eventually.TrueAsync(() => ProcessProbe.DescendantsOf(shell.Pid).Count == 1, Deadline, "the shell's `sleep 3600` runs", cancellationToken);
        var target = Identity.Of(matched.Pid);
        var bystanders = new[] { shell.Pid, renamed.Pid }.Concat(ProcessProbe.DescendantsOf(shell.Pid)).Select(Identity.Of).ToList();
        foreach (var bystander in bystanders)
            sandbox.Processes.Track(bystander.Pid);

        // Act
        await using var launcher = await LauncherRun.StartAsync(sandbox, cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(target.IsAlive, Is.False, "the pattern-matched worker is killed");
            Assert.That(launcher.Output, Does.Contain($"Killed stray pid {matched.PidInside} ({Repo.SampleWorkerExe} --tick-seconds {seconds})"), launcher.Output);
            Assert.That(bystanders, Has.Count.EqualTo(3));
            Assert.That(bystanders.Where(p => !p.IsAlive), Is.Empty, "processes that merely name the instance are left alone");
        });

        Assert.That(await launcher.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        await sandbox.DisposeAsync();
        Assert.That(bystanders.Where(p => p.IsAlive), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_pattern_that_names_the_instance_never_hits_a_running_launchers_own_watchdog(CancellationToken cancellationToken)
    {
        // Arrange: a careless pattern that matches the watchdog's command line (`launcher __watchdog <instance>:<pid>:<ticks>`).
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        (LauncherConfig.SampleWorkers(1) with { StrayPatterns = [$"__watchdog {sandbox.Instance}:"] }).WriteTo(sandbox);

        // Act: the launcher sweeps after its watchdog is up; then `launcher strays --kill` looks while it runs.
        await using var launcher = await LauncherRun.StartAsync(sandbox, cancellationToken: cancellationToken);
        var watchdog = ProcessProbe.ChildrenOf(launcher.Pid).SingleOrDefault(pid => ProcessProbe.CommandLine(pid)?.Contains("__watchdog", StringComparison.Ordinal) == true);
        var report = await StrayProcesses.ReportAsync(sandbox, kill: true, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(watchdog, Is.Not.EqualTo(0), "the launcher's watchdog runs after the sweep: " + launcher.Output);
            Assert.That(launcher.Output, Does.Not.Contain("Killed stray"), launcher.Output);
            Assert.That(report.Strays, Is.Empty, report.Raw);
            Assert.That(ProcessProbe.IsAlive(watchdog), Is.True, "`launcher strays --kill` left the running launcher's watchdog alone");
        });

        Assert.That(await launcher.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_stale_registration_whose_pid_now_belongs_to_an_unrelated_process_is_removed_and_the_process_survives(CancellationToken cancellationToken)
    {
        // Arrange: a registration naming a live `sleep` of ours, with another start time (a worker that died, pid reused).
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        await using var sleeper = await StrayProcesses.StartAsync(sandbox, "sleep", ["3602"], "sleep 3602", cancellationToken: cancellationToken);
        var decoy = Identity.Of(sleeper.Pid);
        var file = StrayProcesses.WriteRegistration(sandbox, new WorkerRegistration(
            $"api{sleeper.PidInside}@decoy", sleeper.PidInside, decoy.StartTicks!.Value - 1, sandbox.Paths.SocketFile(sleeper.PidInside), SelfIdentity.BootId));

        // Act
        await using var launcher = await LauncherRun.StartAsync(sandbox, cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(file), Is.False, "the stale registration is removed at once");
            Assert.That(decoy.IsAlive, Is.True, "the process that reused the pid survives");
            Assert.That(launcher.Output, Does.Contain("now belongs to another process"), launcher.Output);
            Assert.That(launcher.Output, Does.Not.Contain("Killed stray"), launcher.Output);
        });

        Assert.That(await launcher.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(decoy.IsAlive, Is.True, "the launcher's stop leaves it alone too");
        await sandbox.DisposeAsync();
        Assert.That(decoy.IsAlive, Is.False);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_process_of_another_user_that_matches_every_source_survives(CancellationToken cancellationToken)
    {
        if (NativeMethods.GetUid() != 0)
            Assert.Ignore("needs root to start a process as another user");

        // Arrange: as `nobody`, a process with the instance marker and a node name, matching the pattern, and registered.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        var seconds = "4243" + RandomNumberGenerator.GetInt32(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        (LauncherConfig.SampleWorkers(1) with { StrayPatterns = [$"^sleep {seconds}$"] }).WriteTo(sandbox);
        await using var foreign = await StrayProcesses.StartAsync(sandbox, "setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", "env", $"LAUNCHER_INSTANCE={sandbox.Instance}", "LAUNCHER_NODE=api1@other", "sleep", seconds],
            $"sleep {seconds}", cancellationToken: cancellationToken);
        var other = Identity.Of(foreign.Pid);
        StrayProcesses.WriteRegistration(sandbox, new WorkerRegistration(
            "api1@other", foreign.PidInside, other.StartTicks!.Value, sandbox.Paths.SocketFile(foreign.PidInside), SelfIdentity.BootId));
        Assert.That(ProcessProbe.UserOf(foreign.Pid), Is.EqualTo(65534), "the process runs as nobody");

        // Act
        var listed = await StrayProcesses.ReportAsync(sandbox, kill: true, cancellationToken);
        await using var launcher = await LauncherRun.StartAsync(sandbox, cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(listed.Strays, Is.Empty, listed.Raw);
            Assert.That(other.IsAlive, Is.True, "another user's process is never killed, even by a launcher running as root");
            Assert.That(launcher.Output, Does.Not.Contain("Killed stray"), launcher.Output);
        });

        Assert.That(await launcher.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        await sandbox.DisposeAsync();
        Assert.That(other.IsAlive, Is.False);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_stray_that_ignores_SIGTERM_is_SIGKILLed_after_the_grace_period_and_one_that_honours_it_never_sees_SIGKILL(CancellationToken cancellationToken)
    {
        // Arrange: a 1 s grace period; two hand-started workers, one deaf to SIGTERM (with a child), one polite.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 1, StrayPatterns = [] }).WriteTo(sandbox);
        await using var stubborn = await StrayProcesses.StartWorkerAsync(sandbox, ["--ignore-sigterm", "--spawn-grandchild"], cancellationToken: cancellationToken);
        await using var polite = await StrayProcesses.StartWorkerAsync(sandbox, [], besideAnother: true, cancellationToken: cancellationToken);

        // Act
        var report = await StrayProcesses.ReportAsync(sandbox, kill: true, cancellationToken);

        // Assert: the report says how each ended, and the kernel agrees (exit by SIGKILL is 128 + 9).
        var stubbornExit = await stubborn.Process.WaitForExitAsync(Deadline, cancellationToken);
        var politeExit = await polite.Process.WaitForExitAsync(Deadline, cancellationToken);
        var killedStubborn = report.Killed.SingleOrDefault(k => k.Pid == stubborn.PidInside);
        var killedPolite = report.Killed.SingleOrDefault(k => k.Pid == polite.PidInside);
        Assert.Multiple(() =>
        {
            Assert.That(report.ExitCode, Is.EqualTo(0), report.Raw);
            Assert.That(report.Killed, Has.Count.EqualTo(2), report.Raw);
            Assert.That(killedStubborn?.EndedBy, Is.EqualTo("SIGKILL"), report.Raw);
            Assert.That(killedStubborn?.TreeSize, Is.EqualTo(2), report.Raw);
            Assert.That(killedStubborn?.ElapsedMs, Is.GreaterThanOrEqualTo(1000), "SIGKILL only after the grace period: " + report.Raw);
            Assert.That(killedPolite?.EndedBy, Is.EqualTo("SIGTERM"), report.Raw);
            Assert.That(report.Killed.Select(k => k.Survivors), Is.All.EqualTo(0), report.Raw);
            Assert.That(stubbornExit, Is.EqualTo(128 + Signals.SIGKILL), stubborn.Process.Output);
            Assert.That(politeExit, Is.EqualTo(0), "the polite worker stopped on its own: " + polite.Process.Output);
            Assert.That(polite.Process.Output, Does.Contain("stopping gracefully"), polite.Process.Output);
            Assert.That(stubborn.Children.Select(Identity.Of).Where(p => p.IsAlive), Is.Empty, "the stubborn worker's child died with it");
            Assert.That(File.Exists(stubborn.RegistrationFile), Is.False, "the SIGKILLed worker's registration is removed");
            Assert.That(File.Exists(sandbox.Paths.SocketFile(stubborn.PidInside)), Is.False, "and its socket");
        });
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(30_000), SupportedOSPlatform("linux")]
    public async Task A_signal_is_never_sent_to_a_pid_whose_start_time_changed(CancellationToken cancellationToken)
    {
        // Arrange: no pid namespace, the sender is this test process; it targets only its own sleep, by identity.
        await using var sandbox = new Sandbox();
        await using var sleeper = await StrayProcesses.StartAsync(sandbox, "sleep", ["3603"], "sleep 3603", cancellationToken: cancellationToken);
        var ticks = ProcessProbe.StartTicks(sleeper.Pid)!.Value;
        var signals = new LinuxSignalSender();

        // Act
        var sentToImpostor = signals.Send(new ProcessIdentity(sleeper.Pid, ticks + 1), Signal.Kill);
        await Task.Delay(200, cancellationToken); // a SIGKILL, had it been sent, lands within microseconds
        var aliveAfterImpostor = ProcessProbe.IsAlive(sleeper.Pid);
        var sentToItself = signals.Send(new ProcessIdentity(sleeper.Pid, ticks), Signal.Kill);

        // Assert: the wrong identity gets nothing; the right one is signalled (so the check above could fail).
        Assert.Multiple(() =>
        {
            Assert.That(sentToImpostor, Is.False);
            Assert.That(aliveAfterImpostor, Is.True, "the process with the same pid but another start time is alive");
            Assert.That(sentToItself, Is.True);
        });
        Assert.That(await sleeper.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(128 + Signals.SIGKILL));
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, SupportedOSPlatform("linux")]
    public void Kill_safety_protects_this_process_and_every_ancestor_in_a_real_snapshot()
    {
        // Arrange: the kernel's view of our parent chain.
        var table = new LinuxProcessTable();
        var snapshot = table.Snapshot();
        var chain = new List<int>();
        for (int? pid = Environment.ProcessId; pid is > 0 && !chain.Contains(pid.Value); pid = ProcessProbe.ParentOf(pid.Value))
            chain.Add(pid.Value);

        // Act
        var protectedPids = KillSafety.ProtectedPids(snapshot);

        // Assert
        var rows = snapshot.Where(p => chain.Contains(p.Pid)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(chain, Has.Count.GreaterThanOrEqualTo(3), "the test host, its parent, ... init");
            Assert.That(chain[^1], Is.EqualTo(1), "the chain ends at init");
            Assert.That(protectedPids, Is.SupersetOf(chain));
            Assert.That(rows, Has.Count.EqualTo(chain.Count), "every ancestor is in the snapshot");
            Assert.That(rows.Where(p => KillSafety.MayKill(p, table.CurrentUserId, protectedPids)), Is.Empty, "no ancestor may be killed");
            Assert.That(snapshot.Where(p => p.UserId == table.CurrentUserId && !chain.Contains(p.Pid)).Any(p => KillSafety.MayKill(p, table.CurrentUserId, protectedPids)),
                Is.True, "other processes of ours may be (the rule is not simply 'never')");
        });
    }
}
