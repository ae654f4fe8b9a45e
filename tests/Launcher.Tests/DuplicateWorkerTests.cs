using System.Text.Json;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 6, a worker started directly (an IDE profile, no launcher): beside a running worker of the same instance
/// it refuses to start, naming that worker, or with <c>LAUNCHER_ON_DUPLICATE=replace</c> stops it (and its
/// launcher) and takes its place. Never a silent duplicate.
/// </summary>
[TestFixture]
public sealed class DuplicateWorkerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [TestCase("refuse")]
    [TestCase(null, Description = "refuse is the default")]
    [CancelAfter(60_000)]
    public async Task A_worker_started_by_hand_beside_a_running_one_refuses_naming_it(string? policy, CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        await using var launcher = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(1), cancellationToken: cancellationToken);
        var running = launcher.Workers.Single().Pid;

        // Act
        await using var byHand = StartByHand(sandbox, policy);
        var exitCode = await byHand.WaitForExitAsync(Deadline, cancellationToken);

        // Assert: exit 3, naming the running worker, which keeps running alone.
        var ping = await LauncherCli.RunAsync(sandbox, ["ping", "--expect", "1"], Deadline, cancellationToken: cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(3), byHand.Output);
            Assert.That(byHand.StderrLines, Has.Some.Contain("refusing to start").And.Contain($"api{running}@").And.Contain($"#{running}"));
            Assert.That(byHand.Output, Does.Contain($"{EnvironmentNames.OnDuplicate}=replace"), "says how to take its place instead");
            Assert.That(byHand.Output, Does.Not.Contain("Ready."), "never started working");
            Assert.That(ping.ExitCode, Is.EqualTo(0), ping.ToString());
            Assert.That(ProcessProbe.IsAlive(running), Is.True);
        });

        Assert.That(await launcher.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_worker_started_by_hand_with_replace_stops_the_running_one_and_its_launcher_and_alone_answers(CancellationToken cancellationToken)
    {
        // Arrange: in a pid namespace, since the new worker kills the old one and signals its launcher.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        await using var launcher = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(1), cancellationToken: cancellationToken);
        var old = launcher.Workers.Single();

        // Act
        await using var byHand = StartByHand(sandbox, "replace");
        await byHand.WaitForLineAsync($"Registered as api{byHand.PidInside}@", Deadline, cancellationToken);
        var launcherExit = await launcher.WaitForExitAsync(cancellationToken);

        // Assert: the launcher stopped gracefully (exit 0) with its worker; only the new worker answers.
        var ping = await LauncherCli.RunAsync(sandbox, ["ping", "--expect", "1", "--json"], Deadline, cancellationToken: cancellationToken);
        using var report = JsonDocument.Parse(ping.Stdout);
        var workers = report.RootElement.GetProperty("workers").EnumerateArray().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(launcherExit, Is.EqualTo(0), launcher.Output);
            Assert.That(old.Identity.IsAlive, Is.False, "the old worker is gone");
            Assert.That(ping.ExitCode, Is.EqualTo(0), ping.ToString());
            Assert.That(workers, Has.Count.EqualTo(1), ping.Stdout);
            Assert.That(workers[0].GetProperty("pid").GetInt32(), Is.EqualTo(byHand.PidInside), "the one answering is the new one");
            Assert.That(workers[0].GetProperty("answered").GetBoolean(), Is.True);
            Assert.That(byHand.Output, Does.Contain($"Replacing running worker(s) {old.Node}"));
        });

        byHand.Signal(Signals.SIGTERM);
        Assert.That(await byHand.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), byHand.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [TestCase("a dead launcher")]
    [TestCase("a live launcher of another instance")]
    [CancelAfter(60_000)]
    public async Task A_worker_started_by_hand_with_a_guard_of_another_launcher_still_refuses_beside_a_running_one(string guardOf, CancellationToken cancellationToken)
    {
        // Arrange: one worker started by hand is running; the guard variable left over in the shell names
        // a launcher that is gone, or one of another instance (alive: this test process).
        await using var sandbox = new Sandbox();
        await using var running = StartByHand(sandbox, null);
        await running.WaitForLineAsync($"Registered as api{running.Pid}@", Deadline, cancellationToken);
        sandbox.Processes.Track(running.Pid);
        string guard;
        if (guardOf == "a dead launcher")
        {
            await using var shell = LauncherProcess.StartProgram(sandbox, "/bin/sh", ["-c", "echo $$ $(cut -d' ' -f22 /proc/$$/stat)"]);
            Assert.That(await shell.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), shell.Output);
            guard = sandbox.Instance + ":" + shell.StdoutLines.Single().Replace(' ', ':');
        }
        else
        {
            guard = $"{sandbox.Instance}-other:{Environment.ProcessId}:{ProcessProbe.StartTicks(Environment.ProcessId)}";
        }

        // Act
        await using var byHand = StartByHand(sandbox, null, new Dictionary<string, string?> { [EnvironmentNames.Guard] = guard });
        sandbox.Processes.Track(byHand.Pid);
        var exitCode = await byHand.WaitForExitAsync(Deadline, cancellationToken);

        // Assert: the guard did not pass it off as supervised; the duplicate check ran and refused it.
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(3), byHand.Output);
            Assert.That(byHand.Output, Does.Contain($"#{running.Pid}"), "names the running worker");
            Assert.That(ProcessProbe.IsAlive(running.Pid), Is.True);
        });

        running.Signal(Signals.SIGTERM);
        Assert.That(await running.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), running.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_worker_started_by_hand_with_a_stale_guard_registers_as_unsupervised(CancellationToken cancellationToken)
    {
        // Arrange: a guard naming this instance and a launcher that is gone.
        await using var sandbox = new Sandbox();
        await using var shell = LauncherProcess.StartProgram(sandbox, "/bin/sh", ["-c", "echo $$ $(cut -d' ' -f22 /proc/$$/stat)"]);
        Assert.That(await shell.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), shell.Output);
        var guard = sandbox.Instance + ":" + shell.StdoutLines.Single().Replace(' ', ':');

        // Act
        await using var byHand = StartByHand(sandbox, null, new Dictionary<string, string?> { [EnvironmentNames.Guard] = guard });
        sandbox.Processes.Track(byHand.Pid);
        await byHand.WaitForLineAsync($"Registered as api{byHand.Pid}@", Deadline, cancellationToken);
        var registration = StrayProcesses.ReadRegistration(sandbox.Paths.RegistrationFile(byHand.Pid));

        // Assert: no launcher recorded (so no parent watch that would stop it for the dead launcher).
        Assert.Multiple(() =>
        {
            Assert.That(registration, Is.Not.Null);
            Assert.That(registration!.LauncherPid, Is.Null, "not supervised by the dead launcher");
            Assert.That(byHand.HasExited, Is.False, byHand.Output);
        });

        byHand.Signal(Signals.SIGTERM);
        Assert.That(await byHand.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), byHand.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(90_000)]
    public async Task A_worker_started_by_hand_with_the_instance_only_in_configuration_marks_its_escaped_grandchild_so_strays_kill_takes_both(CancellationToken cancellationToken)
    {
        // Arrange: the instance comes from configuration (Launcher:Instance), not from LAUNCHER_INSTANCE;
        // the worker starts `setsid -f sleep 100001`, which leaves its tree.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        await using var worker = LauncherProcess.StartProgram(
            sandbox,
            Repo.SampleWorkerExe,
            ["--tick-seconds", "1", "--setsid-grandchild"],
            environment: new Dictionary<string, string?> { ["Launcher__Instance"] = sandbox.Instance });
        sandbox.Processes.Track(worker.Pid);
        await worker.WaitForLineAsync($"Registered as api{worker.PidInside}@", Deadline, cancellationToken);
        var node = $"api{worker.PidInside}@";
        var grandchild = 0;
        await Eventually.TrueAsync(
            () => (grandchild = ProcessProbe.AllPids().FirstOrDefault(pid =>
                ProcessProbe.CommandLine(pid) == "sleep 100001" && SpineFacts.EnvironmentOf(pid, EnvironmentNames.Node)?.StartsWith(node, StringComparison.Ordinal) == true)) != 0,
            Deadline, "the setsid grandchild runs", cancellationToken);
        sandbox.Processes.Track(grandchild);
        var grandchildIdentity = Identity.Of(grandchild);
        var marker = SpineFacts.EnvironmentOf(grandchild, EnvironmentNames.Instance);

        // Act
        var result = await LauncherCli.RunAsync(sandbox, ["strays", "--kill"], Deadline, cancellationToken: cancellationToken);

        // Assert: the grandchild carries the marker and died with the worker.
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            Assert.That(marker, Is.EqualTo(sandbox.Instance), "the grandchild inherited the instance marker");
            Assert.That(ProcessProbe.IsAlive(worker.Pid), Is.False, "the worker is killed");
            Assert.That(grandchildIdentity.IsAlive, Is.False, "its escaped grandchild is killed with it: " + result);
        });
        // Whatever else of the tree got the signal may still be on its way out (reaped by the namespace's init).
        await Eventually.TrueAsync(() => sandbox.Survivors().Count == 0, Deadline, "nothing of the instance survives", cancellationToken);
    }

    [Test, CancelAfter(90_000)]
    public async Task Three_workers_started_by_hand_at_once_leave_exactly_one_running(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();

        // Act: three at once, no launcher.
        var workers = Enumerable.Range(0, 3).Select(_ => StartByHand(sandbox, null)).ToList();
        try
        {
            foreach (var worker in workers)
                sandbox.Processes.Track(worker.Pid);
            await Eventually.TrueAsync(
                () => workers.All(w => w.HasExited || w.StdoutLines.Concat(w.StderrLines).Any(l => l.Contains($"Registered as api{w.Pid}@", StringComparison.Ordinal))),
                Deadline, "every worker either registered or exited", cancellationToken);

            // Assert
            var staying = workers.Where(w => !w.HasExited).ToList();
            Assert.Multiple(() =>
            {
                Assert.That(staying, Has.Count.EqualTo(1), string.Join("\n---\n", workers.Select(w => w.Output)));
                Assert.That(workers.Where(w => w.HasExited).Select(w => w.ExitCode), Is.All.EqualTo(3));
            });

            foreach (var worker in staying)
            {
                worker.Signal(Signals.SIGTERM);
                Assert.That(await worker.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), worker.Output);
            }
        }
        finally
        {
            foreach (var worker in workers)
                await worker.DisposeAsync();
        }

        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    // As an IDE profile starts it: the instance set, no launcher (so no guard variable).
    private static LauncherProcess StartByHand(Sandbox sandbox, string? policy, Dictionary<string, string?>? more = null)
    {
        var environment = new Dictionary<string, string?>
        {
            [EnvironmentNames.Instance] = sandbox.Instance,
            [EnvironmentNames.OnDuplicate] = policy,
        };
        foreach (var (key, value) in more ?? [])
            environment[key] = value;
        return LauncherProcess.StartProgram(sandbox, Repo.SampleWorkerExe, ["--tick-seconds", "1"], environment: environment);
    }
}
