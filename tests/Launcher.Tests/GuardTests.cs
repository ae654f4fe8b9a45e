using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 2, the guard: one launcher per instance, named when a second one is refused; a guard variable only
/// blocks while its launcher lives; the runtime directory is private and ours.
/// </summary>
[TestFixture]
public sealed partial class GuardTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(90_000)]
    public async Task A_second_launcher_exits_3_at_once_naming_the_first_and_a_new_one_starts_once_the_first_is_killed(CancellationToken cancellationToken)
    {
        // Arrange: in a pid namespace, since the new launcher's stray sweep kills the first one's orphan.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        var firstStartedAt = DateTime.Now;
        await using var first = await LauncherRun.StartAsync(sandbox, cancellationToken: cancellationToken);
        first.ExpectExitCode(128 + Signals.SIGKILL);
        var firstWorker = first.Workers.Single().Pid;

        // Act: a second launcher of the same instance.
        var clock = Stopwatch.StartNew();
        var second = await LauncherCli.RunAsync(sandbox, ["run"], cancellationToken: cancellationToken);
        var refusedIn = clock.Elapsed;
        TestContext.Out.WriteLine($"second launcher refused in {refusedIn.TotalMilliseconds:F0} ms");

        // Assert: refused with exit 3, naming the holder's pid, start time and command line.
        var started = StartedAt().Match(second.Stderr);
        Assert.Multiple(() =>
        {
            Assert.That(second.ExitCode, Is.EqualTo(3), second.ToString());
            Assert.That(refusedIn, Is.LessThan(TimeSpan.FromSeconds(10)), "refused at once, without waiting on anything");
            Assert.That(second.Stderr, Does.Contain($"pid {first.Process.PidInside}"), "names the holder's pid");
            Assert.That(second.Stderr, Does.Contain($"{Repo.LauncherExe} run"), "names the holder's command line");
            Assert.That(started.Success, Is.True, $"names the holder's start time: {second.Stderr}");
            Assert.That(ProcessProbe.PidsWithMarker(sandbox.Instance), Is.EquivalentTo(new[] { firstWorker }), "the refused launcher started no worker");
        });
        var startTime = DateTime.ParseExact(started.Groups[1].Value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        Assert.That(startTime, Is.EqualTo(firstStartedAt).Within(TimeSpan.FromSeconds(5)), "the start time is the first launcher's");

        // Act: SIGKILL the first (no chance to clean up), then start again as soon as it is gone.
        first.Process.Signal(Signals.SIGKILL);
        await first.WaitForExitAsync(cancellationToken);
        clock.Restart();
        await using var third = await LauncherRun.StartAsync(sandbox, cancellationToken: cancellationToken);
        TestContext.Out.WriteLine($"new launcher ready {clock.Elapsed.TotalMilliseconds:F0} ms after the first was SIGKILLed");
        var thirdWorker = third.Workers.Single().Pid;

        // Assert: the new one took the guard; the orphaned worker of the first is gone.
        Assert.Multiple(() =>
        {
            Assert.That(third.Output, Does.Not.Contain("already run by another launcher"));
            Assert.That(first.Workers.Single().Identity.IsAlive, Is.False, "the first launcher's worker did not outlive the new start");
            Assert.That(thirdWorker, Is.Not.EqualTo(firstWorker));
        });

        Assert.That(await third.StopAsync(cancellationToken), Is.EqualTo(0), third.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_stale_guard_variable_whose_launcher_is_dead_does_not_block_a_start(CancellationToken cancellationToken)
    {
        // Arrange: the guard value of a process that has exited.
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        var dead = await DeadProcessAsync(sandbox, cancellationToken);
        var stale = $"{sandbox.Instance}:{dead.Pid}:{dead.StartTicks}";

        // Act
        await using var launcher = await LauncherRun.StartAsync(sandbox, environment: new Dictionary<string, string?> { [EnvironmentNames.Guard] = stale }, cancellationToken: cancellationToken);

        // Assert: started, with a note about the variable.
        Assert.That(launcher.Output, Does.Contain($"ignoring stale {EnvironmentNames.Guard} of launcher pid {dead.Pid}"));
        Assert.That(await launcher.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_guard_variable_naming_a_live_process_of_the_same_instance_makes_run_exit_3(CancellationToken cancellationToken)
    {
        // Arrange: a live process stands in for the launcher named by the variable (pid + start ticks).
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        await using var holder = LauncherProcess.StartProgram(sandbox, "/bin/sleep", ["600"]);
        var guard = $"{sandbox.Instance}:{holder.Pid}:{ProcessProbe.StartTicks(holder.Pid)}";

        // Act
        var result = await LauncherCli.RunAsync(
            sandbox, ["run"], environment: new Dictionary<string, string?> { [EnvironmentNames.Guard] = guard }, cancellationToken: cancellationToken);

        // Assert: refused before anything was created or started.
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
            Assert.That(result.Stderr, Does.Contain($"launcher pid {holder.Pid}"));
            Assert.That(File.Exists(sandbox.Paths.LockFile), Is.False, "no lock file");
            Assert.That(Directory.Exists(sandbox.LogDir), Is.False, "no log directory");
            Assert.That(ProcessProbe.PidsWithMarker(sandbox.Instance), Is.Empty, "no worker");
        });

        await holder.DisposeAsync();
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_guard_variable_of_another_instance_does_not_block(CancellationToken cancellationToken)
    {
        // Arrange: a live "launcher" of another instance.
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        await using var holder = LauncherProcess.StartProgram(sandbox, "/bin/sleep", ["600"]);
        var guard = $"other{sandbox.Instance}:{holder.Pid}:{ProcessProbe.StartTicks(holder.Pid)}";

        // Act
        await using var launcher = await LauncherRun.StartAsync(sandbox, environment: new Dictionary<string, string?> { [EnvironmentNames.Guard] = guard }, cancellationToken: cancellationToken);

        // Assert
        Assert.That(launcher.Output, Does.Contain($"instance 'other{sandbox.Instance}'"), "noted");
        Assert.That(await launcher.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        await holder.DisposeAsync();
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    [UnsupportedOSPlatform("windows")]
    public async Task The_runtime_directory_is_created_private(CancellationToken cancellationToken)
    {
        // Arrange: a runtime directory that does not exist yet.
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        var runtime = Path.Combine(sandbox.Dir, "fresh");

        // Act
        await using var launcher = await LauncherRun.StartAsync(sandbox, environment: new Dictionary<string, string?> { [EnvironmentNames.RuntimeDir] = runtime }, cancellationToken: cancellationToken);

        // Assert: the directory and the instance's registry inside it are 0700.
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        var paths = new RuntimePaths(runtime, sandbox.Instance);
        Assert.Multiple(() =>
        {
            Assert.That(File.GetUnixFileMode(runtime), Is.EqualTo(Private), runtime);
            Assert.That(File.GetUnixFileMode(Path.Combine(runtime, sandbox.Instance)), Is.EqualTo(Private), "the instance directory");
            Assert.That(File.GetUnixFileMode(paths.WorkersDir), Is.EqualTo(Private), paths.WorkersDir);
            Assert.That(File.Exists(paths.LockFile), Is.True, "the lock lives there");
        });

        Assert.That(await launcher.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_runtime_directory_that_is_a_symlink_is_refused(CancellationToken cancellationToken)
    {
        // Arrange: the runtime directory is a link to a real, private directory.
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        var link = Path.Combine(sandbox.Dir, "linked-runtime");
        File.CreateSymbolicLink(link, sandbox.RuntimeDir);

        // Act
        var result = await LauncherCli.RunAsync(
            sandbox, ["run"], environment: new Dictionary<string, string?> { [EnvironmentNames.RuntimeDir] = link }, cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.Stderr, Does.Contain(link).And.Contain("symlink"));
            Assert.That(Directory.EnumerateFileSystemEntries(sandbox.RuntimeDir), Is.Empty, "nothing written through the link");
            Assert.That(Directory.Exists(sandbox.LogDir), Is.False, "no log directory");
            Assert.That(sandbox.Survivors(), Is.Empty, "no worker");
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_runtime_directory_symlink_is_refused_even_when_named_with_a_trailing_slash(CancellationToken cancellationToken)
    {
        // Arrange: "link/" makes .NET see a directory (LinkTarget null) and lstat follow the link.
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        var link = Path.Combine(sandbox.Dir, "linked-runtime");
        File.CreateSymbolicLink(link, sandbox.RuntimeDir);

        // Act
        var result = await LauncherCli.RunAsync(
            sandbox, ["run"], environment: new Dictionary<string, string?> { [EnvironmentNames.RuntimeDir] = link + "/" }, cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.Stderr, Does.Contain(link).And.Contain("symlink"));
            Assert.That(Directory.EnumerateFileSystemEntries(sandbox.RuntimeDir), Is.Empty, "nothing written through the link");
            Assert.That(sandbox.Survivors(), Is.Empty, "no worker");
        });
    }

    [Test, NonParallelizable]
    public void The_agent_runtime_root_has_no_trailing_slash()
    {
        var previous = Environment.GetEnvironmentVariable(EnvironmentNames.RuntimeDir);
        try
        {
            Environment.SetEnvironmentVariable(EnvironmentNames.RuntimeDir, "/tmp/launcher-root-test/link//");
            Assert.That(RuntimePaths.DefaultRoot(), Is.EqualTo("/tmp/launcher-root-test/link"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(EnvironmentNames.RuntimeDir, previous);
        }
    }

    [Test, CancelAfter(60_000)]
    public async Task A_guard_naming_a_zombie_launcher_is_not_alive(CancellationToken cancellationToken)
    {
        // Arrange: `true &` exits at once, and the exec'd sleep never reaps it: a zombie that keeps its start ticks.
        await using var sandbox = new Sandbox();
        await using var parent = LauncherProcess.StartProgram(sandbox, "/bin/sh", ["-c", "true & exec sleep 100002"]);
        sandbox.Processes.Track(parent.Pid);
        var zombie = 0;
        await Eventually.TrueAsync(
            () => ProcessProbe.AllPids().Where(p => ProcessProbe.ParentOf(p) == parent.Pid).ToList() is [var child] && ProcessProbe.State(child) == 'Z' && (zombie = child) > 0,
            Deadline, "the child of the sleep is a zombie", cancellationToken);
        var ticks = ProcessProbe.StartTicks(zombie);
        Assert.That(ticks, Is.Not.Null, "a zombie still has its /proc/<pid>/stat");

        // Act
        var guard = new LauncherGuardValue(sandbox.Instance, zombie, ticks!.Value);
        var live = new LauncherGuardValue(sandbox.Instance, parent.Pid, ProcessProbe.StartTicks(parent.Pid)!.Value);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(guard.IsAlive, Is.False, "a zombie launcher is dead");
            Assert.That(live.IsAlive, Is.True, "a sleeping process is alive");
        });

        parent.Signal(Signals.SIGKILL);
        await parent.WaitForExitAsync(Deadline, cancellationToken);
        Assert.That(ProcessProbe.IsAlive(parent.Pid), Is.False);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_runtime_directory_owned_by_another_user_is_refused(CancellationToken cancellationToken)
    {
        if (NativeMethods.GetUid() != 0)
            Assert.Ignore("giving a directory to another user needs root");

        // Arrange: a runtime directory that belongs to nobody.
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        var foreign = Directory.CreateDirectory(Path.Combine(sandbox.Dir, "foreign")).FullName;
        await using (var chown = LauncherProcess.StartProgram(sandbox, "chown", ["nobody", foreign]))
            Assert.That(await chown.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), chown.Output);

        // Act
        var result = await LauncherCli.RunAsync(
            sandbox, ["run"], environment: new Dictionary<string, string?> { [EnvironmentNames.RuntimeDir] = foreign }, cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.Stderr, Does.Contain(foreign).And.Contain("belongs to uid"));
            Assert.That(Directory.EnumerateFileSystemEntries(foreign), Is.Empty, "nothing written there");
            Assert.That(sandbox.Survivors(), Is.Empty, "no worker");
        });
    }

    private static async Task<(int Pid, ulong StartTicks)> DeadProcessAsync(Sandbox sandbox, CancellationToken cancellationToken)
    {
        // `sh -c` prints its own start ticks before it exits: a real identity of a process that is now gone.
        await using var shell = LauncherProcess.StartProgram(sandbox, "/bin/sh", ["-c", "echo $$ $(cut -d' ' -f22 /proc/$$/stat)"]);
        Assert.That(await shell.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), shell.Output);
        var fields = shell.StdoutLines.Single().Split(' ');
        return (int.Parse(fields[0], CultureInfo.InvariantCulture), ulong.Parse(fields[1], CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"started (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})")]
    private static partial Regex StartedAt();
}
