using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, items 2, 3 and 9 (runtime directory part): what lies in a runtime directory is a claim, never an order
/// to kill. A directory of another user is refused by every command that acts on it; a holder file must name the
/// live launcher that holds the lock before `stop` signals it; a registration must be backed by its process (marker
/// or ping); a FIFO where a file should be hangs nothing. Every test runs in a private pid namespace.
/// </summary>
[TestFixture]
public sealed class PlantedRuntimeFileTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(90_000)]
    public async Task Strays_kill_stop_status_and_ping_refuse_a_runtime_directory_owned_by_nobody_and_the_process_it_names_survives(CancellationToken cancellationToken)
    {
        if (NativeMethods.GetUid() != 0)
            Assert.Ignore("giving a directory to another user needs root");

        // Arrange: a directory of `nobody` with a complete registration and a holder file, both naming our unrelated sleep.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        await using var sleeper = await StrayProcesses.StartAsync(sandbox, "sleep", ["3710"], "sleep 3710", cancellationToken: cancellationToken);
        var victim = Identity.Of(sleeper.Pid);
        var foreign = Path.Combine(sandbox.Dir, "foreign");
        var paths = new RuntimePaths(foreign, sandbox.Instance);
        Directory.CreateDirectory(paths.WorkersDir);
        var registration = paths.RegistrationFile(sleeper.PidInside);
        File.WriteAllText(registration, JsonSerializer.Serialize(
            new WorkerRegistration($"api{sleeper.PidInside}@planted", sleeper.PidInside, victim.StartTicks!.Value, paths.SocketFile(sleeper.PidInside), SelfIdentity.BootId),
            ProtocolJson.Default.WorkerRegistration));
        WriteHolder(paths.HolderFile, sleeper.PidInside, victim.StartTicks.Value);
        var chown = await SpineFacts.RunProgramAsync(sandbox, "chown", ["-R", "nobody", foreign], cancellationToken);
        Assert.That(chown.ExitCode, Is.EqualTo(0), chown.ToString());
        var environment = new Dictionary<string, string?> { [EnvironmentNames.RuntimeDir] = foreign };

        foreach (string[] command in (string[][])[["strays", "--kill"], ["stop"], ["status"], ["ping"]])
        {
            // Act
            var result = await LauncherCli.RunAsync(sandbox, command, environment: environment, cancellationToken: cancellationToken);

            // Assert: one line, exit 2, nothing touched.
            Assert.Multiple(() =>
            {
                Assert.That(result.ExitCode, Is.EqualTo(2), $"{string.Join(' ', command)}: {result}");
                Assert.That(result.Stderr, Does.Contain(foreign).And.Contain("belongs to uid"), result.ToString());
                Assert.That(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), result.ToString());
                Assert.That(victim.IsAlive, Is.True, $"`launcher {string.Join(' ', command)}` left the named process alone");
                Assert.That(File.Exists(registration), Is.True, "the planted registration is left where it is");
            });
        }
    }

    [Test, CancelAfter(60_000)]
    public async Task Strays_kill_refuses_a_runtime_directory_that_is_a_symlink(CancellationToken cancellationToken)
    {
        // Arrange: the runtime directory is a symlink to a directory of ours holding a registration of our sleep.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        await using var sleeper = await StrayProcesses.StartAsync(sandbox, "sleep", ["3711"], "sleep 3711", cancellationToken: cancellationToken);
        var victim = Identity.Of(sleeper.Pid);
        var target = new RuntimePaths(Path.Combine(sandbox.Dir, "target"), sandbox.Instance);
        Directory.CreateDirectory(target.WorkersDir);
        File.WriteAllText(target.RegistrationFile(sleeper.PidInside), JsonSerializer.Serialize(
            new WorkerRegistration($"api{sleeper.PidInside}@planted", sleeper.PidInside, victim.StartTicks!.Value, target.SocketFile(sleeper.PidInside), SelfIdentity.BootId),
            ProtocolJson.Default.WorkerRegistration));
        var link = Path.Combine(sandbox.Dir, "link");
        File.CreateSymbolicLink(link, target.Root);

        // Act
        var result = await LauncherCli.RunAsync(sandbox, ["strays", "--kill"],
            environment: new Dictionary<string, string?> { [EnvironmentNames.RuntimeDir] = link }, cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.Stderr, Does.Contain("symlink"), result.ToString());
            Assert.That(victim.IsAlive, Is.True);
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task Stop_signals_nothing_when_the_holder_file_names_a_process_that_is_not_the_launcher_holding_the_lock(CancellationToken cancellationToken)
    {
        // Arrange: a holder file naming our unrelated sleep (right pid and start ticks), and no launcher at all.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        await using var sleeper = await StrayProcesses.StartAsync(sandbox, "sleep", ["3712"], "sleep 3712", cancellationToken: cancellationToken);
        var victim = Identity.Of(sleeper.Pid);
        WriteHolder(sandbox.Paths.HolderFile, sleeper.PidInside, victim.StartTicks!.Value);

        // Act 1
        var unlocked = await LauncherCli.RunAsync(sandbox, ["stop"], cancellationToken: cancellationToken);

        // Assert 1: nothing holds the lock, so nothing runs; the named process is not signalled.
        Assert.Multiple(() =>
        {
            Assert.That(unlocked.ExitCode, Is.EqualTo(0), unlocked.ToString());
            Assert.That(unlocked.Stdout, Does.Contain("signalled nothing").And.Contain("not a launcher"), unlocked.ToString());
            Assert.That(victim.IsAlive, Is.True, "stop left the process named by the planted holder file alone");
        });

        // Arrange 2: now a non-launcher (`flock`) holds the instance lock, and the holder file names it.
        File.WriteAllText(sandbox.Paths.LockFile, "");
        await using var locker = await StrayProcesses.StartAsync(sandbox, "flock", ["-x", sandbox.Paths.LockFile, "sleep", "3713"],
            $"flock -x {sandbox.Paths.LockFile} sleep 3713", cancellationToken: cancellationToken);
        var holder = Identity.Of(locker.Pid);
        await Eventually.TrueAsync(() => ProcessProbe.ChildrenOf(locker.Pid).Count == 1, Deadline, "flock holds the lock and runs its sleep", cancellationToken);
        WriteHolder(sandbox.Paths.HolderFile, locker.PidInside, holder.StartTicks!.Value);

        // Act 2
        var locked = await LauncherCli.RunAsync(sandbox, ["stop"], cancellationToken: cancellationToken);

        // Assert 2
        Assert.Multiple(() =>
        {
            Assert.That(locked.ExitCode, Is.EqualTo(1), locked.ToString());
            Assert.That(locked.Stdout, Does.Contain("signalled nothing"), locked.ToString());
            Assert.That(locked.Stderr, Does.Contain("not stopping anything"), locked.ToString());
            Assert.That(holder.IsAlive, Is.True, "the lock holder that is no launcher is not signalled");
            Assert.That(victim.IsAlive, Is.True);
        });
    }

    [Test, CancelAfter(90_000)]
    public async Task A_forged_registration_of_an_unrelated_process_is_stale_for_strays_kill_and_run_and_the_process_survives(CancellationToken cancellationToken)
    {
        // Arrange: right pid, start ticks and boot id, in our own directory; the sleep carries no marker and answers no ping.
        // A worker whose instance comes from configuration (no marker either) but answers the ping backs its registration.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        await using var sleeper = await StrayProcesses.StartAsync(sandbox, "sleep", ["3714"], "sleep 3714", cancellationToken: cancellationToken);
        var unrelated = Identity.Of(sleeper.Pid);
        var forged = StrayProcesses.WriteRegistration(sandbox, new WorkerRegistration(
            $"api{sleeper.PidInside}@forged", sleeper.PidInside, unrelated.StartTicks!.Value, sandbox.Paths.SocketFile(sleeper.PidInside), SelfIdentity.BootId));
        await using var answering = LauncherProcess.StartProgram(sandbox, Repo.SampleWorkerExe, ["--tick-seconds", "1"],
            environment: new Dictionary<string, string?> { ["Launcher__Instance"] = sandbox.Instance });
        await answering.WaitForLineAsync($"Registered as api{answering.PidInside}@", StartDeadline, cancellationToken);

        // Act 1
        var report = await StrayProcesses.ReportAsync(sandbox, kill: true, cancellationToken);

        // Assert 1
        Assert.Multiple(() =>
        {
            Assert.That(report.ExitCode, Is.EqualTo(0), report.Raw);
            Assert.That(report.Killed.Select(k => k.Pid), Is.EqualTo(new[] { answering.PidInside }), "only the worker that answered as its node: " + report.Raw);
            Assert.That(report.Raw, Does.Contain("a registration alone is only a claim"), report.Raw);
            Assert.That(File.Exists(forged), Is.False, "the unbacked registration is removed");
            Assert.That(unrelated.IsAlive, Is.True, "the process it names is untouched");
        });

        // Act 2: the run's sweep, with the claim planted again.
        StrayProcesses.WriteRegistration(sandbox, new WorkerRegistration(
            $"api{sleeper.PidInside}@forged", sleeper.PidInside, unrelated.StartTicks.Value, sandbox.Paths.SocketFile(sleeper.PidInside), SelfIdentity.BootId));
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        await launcher.WaitForLineAsync("ready: 1/1", StartDeadline, cancellationToken);

        // Assert 2
        Assert.Multiple(() =>
        {
            Assert.That(launcher.Output, Does.Contain("a registration alone is only a claim"), launcher.Output);
            Assert.That(launcher.Output, Does.Not.Contain("Killed stray"), launcher.Output);
            Assert.That(File.Exists(forged), Is.False);
            Assert.That(unrelated.IsAlive, Is.True);
        });

        launcher.Signal(Signals.SIGTERM);
        Assert.That(await launcher.WaitForExitAsync(StartDeadline, cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(unrelated.IsAlive, Is.True);
    }

    [Test, CancelAfter(120_000)]
    public async Task A_FIFO_where_a_registration_holder_or_status_file_belongs_hangs_neither_strays_nor_status_nor_run(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        Directory.CreateDirectory(sandbox.Paths.WorkersDir);
        var fifos = new[] { sandbox.Paths.RegistrationFile(4242), sandbox.Paths.HolderFile, sandbox.Paths.StatusFile };
        var mkfifo = await SpineFacts.RunProgramAsync(sandbox, "mkfifo", fifos, cancellationToken);
        Assert.That(mkfifo.ExitCode, Is.EqualTo(0), mkfifo.ToString());

        // Act: each would block for ever in a read of a FIFO; the CLI calls give up (and fail) after 20 s.
        var strays = await LauncherCli.RunAsync(sandbox, ["strays"], TimeSpan.FromSeconds(20), cancellationToken: cancellationToken);
        var status = await LauncherCli.RunAsync(sandbox, ["status"], TimeSpan.FromSeconds(20), cancellationToken: cancellationToken);
        var stop = await LauncherCli.RunAsync(sandbox, ["stop"], TimeSpan.FromSeconds(20), cancellationToken: cancellationToken);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        await launcher.WaitForLineAsync("ready: 1/1", StartDeadline, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(strays.ExitCode, Is.EqualTo(0), strays.ToString());
            Assert.That(strays.Stdout, Does.Contain("4242.json: not a regular file"), strays.ToString());
            Assert.That(status.ExitCode, Is.EqualTo(0), status.ToString());
            Assert.That(stop.ExitCode, Is.EqualTo(0), stop.ToString());
            Assert.That(File.Exists(sandbox.Paths.RegistrationFile(4242)), Is.False, "run removed the FIFO as a stale registration");
        });

        launcher.Signal(Signals.SIGTERM);
        Assert.That(await launcher.WaitForExitAsync(StartDeadline, cancellationToken), Is.EqualTo(0), launcher.Output);
    }

    private static void WriteHolder(string path, int pid, ulong startTicks)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var holder = new JsonObject
        {
            ["pid"] = pid,
            ["startTicks"] = startTicks,
            ["startedAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["commandLine"] = "launcher run",
            ["configFile"] = "launcher.json",
        };
        File.WriteAllText(path, holder.ToJsonString());
    }
}
