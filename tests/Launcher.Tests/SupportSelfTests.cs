using System.Diagnostics;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>The test harness itself, with real processes and no launcher: cleanup, line waits, exit codes, redis.</summary>
[TestFixture]
public sealed class SupportSelfTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Test, CancelAfter(60_000)]
    public async Task A_sandbox_kills_a_marked_process_it_never_tracked(CancellationToken cancellationToken)
    {
        // Arrange: a process the sandbox never heard of, carrying the sandbox's marker (as a launcher's orphan would).
        await using var sandbox = new Sandbox();
        using var sleeper = StartSleep($"LAUNCHER_INSTANCE={sandbox.Instance}");
        try
        {
            // The marker is in /proc/<pid>/environ only once env has exec'd sleep.
            await Eventually.TrueAsync(
                () => ProcessProbe.PidsWithMarker(sandbox.Instance).Contains(sleeper.Id),
                Deadline, "the sleep carries the sandbox's marker", cancellationToken);

            // Act
            await sandbox.DisposeAsync();

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(ProcessProbe.IsAlive(sleeper.Id), Is.False, "the marked process is gone");
                Assert.That(Directory.Exists(sandbox.Dir), Is.False, "the sandbox directory is deleted");
            });
        }
        finally
        {
            KillIfRunning(sleeper);
        }
    }

    [Test, CancelAfter(60_000)]
    public async Task A_sandbox_spares_a_process_of_another_instance(CancellationToken cancellationToken)
    {
        // Arrange: another instance whose name merely starts with this one's.
        await using var sandbox = new Sandbox();
        using var other = StartSleep($"LAUNCHER_INSTANCE={sandbox.Instance}0");
        try
        {
            await Eventually.TrueAsync(
                () => ProcessProbe.PidsWithMarker(sandbox.Instance + "0").Contains(other.Id),
                Deadline, "the sleep carries the other instance's marker", cancellationToken);

            // Act
            await sandbox.DisposeAsync();

            // Assert
            Assert.That(ProcessProbe.IsAlive(other.Id), Is.True, "a process of another instance is left alone");
        }
        finally
        {
            KillIfRunning(other);
        }

        Assert.That(ProcessProbe.IsAlive(other.Id), Is.False);
    }

    [Test, CancelAfter(60_000)]
    public async Task Waiting_for_a_line_returns_it_times_out_with_the_output_and_fails_fast_on_exit(CancellationToken cancellationToken)
    {
        await using var sandbox = new Sandbox();

        // A line printed after the wait began completes it.
        await using (var ready = LauncherProcess.StartProgram(sandbox, "/bin/sh", ["-c", "echo starting; sleep 0.3; echo 'ready: 1/1 workers verified'; exec sleep 300"]))
        {
            var line = await ready.WaitForLineAsync("ready:", Deadline, cancellationToken);
            Assert.That(line, Is.EqualTo("ready: 1/1 workers verified"));

            // A line never printed times out, and the message carries what was printed.
            var timeout = Assert.ThrowsAsync<TimeoutException>(() => ready.WaitForLineAsync(l => l == "never", TimeSpan.FromMilliseconds(300), cancellationToken));
            Assert.That(timeout!.Message, Does.Contain("starting").And.Contain("l == \"never\""));

            // Signals reach the process; death by SIGTERM reads as 128 + 15.
            ready.Signal(Signals.SIGTERM);
            Assert.That(await ready.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(143));
        }

        // A process that exits without the line fails the wait at once, long before the deadline.
        await using var quitter = LauncherProcess.StartProgram(sandbox, "/bin/sh", ["-c", "echo bye >&2; exit 7"]);
        var watch = Stopwatch.StartNew();
        var ended = Assert.ThrowsAsync<InvalidOperationException>(() => quitter.WaitForLineAsync("ready:", TimeSpan.FromSeconds(30), cancellationToken));
        var waited = watch.Elapsed;
        var exitCode = await quitter.WaitForExitAsync(Deadline, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(ended!.Message, Does.Contain("exited with code 7").And.Contain("bye"));
            Assert.That(waited, Is.LessThan(TimeSpan.FromSeconds(10)));
            Assert.That(exitCode, Is.EqualTo(7));
        });
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task An_exit_is_seen_even_when_an_orphan_keeps_the_output_pipe_open(CancellationToken cancellationToken)
    {
        // Arrange: the shell leaves a marked background sleep holding its stdout, then exits.
        await using var sandbox = new Sandbox();
        await using var shell = LauncherProcess.StartProgram(
            sandbox, "/bin/sh", ["-c", "sleep 300 & echo started; exit 3"],
            environment: new Dictionary<string, string?> { ["LAUNCHER_INSTANCE"] = sandbox.Instance });

        // Act
        var exitCode = await shell.WaitForExitAsync(Deadline, cancellationToken);

        // Assert: the exit is reported, the orphan is found by its marker, and the sandbox sweeps it.
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(3));
            Assert.That(shell.Output, Does.Contain("started"));
        });
        await Eventually.TrueAsync(() => sandbox.Survivors().Count == 1, Deadline, "the orphaned sleep is a survivor", cancellationToken);
        var orphan = sandbox.Survivors().Single();

        await sandbox.DisposeAsync();
        Assert.That(ProcessProbe.IsAlive(orphan), Is.False, "the sandbox killed the orphan");
    }

    [Test, CancelAfter(60_000)]
    public async Task A_redis_server_answers_ping_and_is_gone_after_dispose(CancellationToken cancellationToken)
    {
        RedisServer.SkipUnlessAvailable();
        await using var sandbox = new Sandbox();

        int pid;
        await using (var redis = await RedisServer.StartAsync(sandbox, cancellationToken))
        {
            pid = redis.Pid;
            var answered = await redis.PingAsync(cancellationToken);
            Assert.Multiple(() =>
            {
                Assert.That(answered, Is.True, "PING answered PONG");
                Assert.That(redis.Url, Is.EqualTo($"redis://127.0.0.1:{redis.Port}"));
            });
        }

        Assert.That(ProcessProbe.IsAlive(pid), Is.False);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_process_in_a_pid_namespace_cannot_kill_a_process_outside_it(CancellationToken cancellationToken)
    {
        // Arrange: a victim outside the namespace, and a sleeper inside it.
        await using var outside = new Sandbox();
        await using var victim = LauncherProcess.StartProgram(outside, "/bin/sleep", ["300"]);
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        await using var sleeper = LauncherProcess.StartProgram(sandbox, "/bin/sleep", ["301"]);
        await Eventually.TrueAsync(() => ProcessProbe.CommandLine(sleeper.Pid) == "/bin/sleep 301", Deadline, "the sleeper runs", cancellationToken);

        // Act: from inside, SIGKILL the victim by its (outside) pid, and list the pids of the namespace's /proc.
        var kill = await SpineFacts.RunProgramAsync(sandbox, "/bin/sh", ["-c", $"kill -KILL {victim.Pid}"], cancellationToken);
        var seen = await SpineFacts.RunProgramAsync(sandbox, "/bin/sh", ["-c", "ls /proc | grep -E '^[0-9]+$'"], cancellationToken);
        var pidsInside = seen.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(kill.ExitCode, Is.Not.Zero, $"no process {victim.Pid} inside: {kill}");
            Assert.That(ProcessProbe.IsAlive(victim.Pid), Is.True, "the victim outside survives");
            Assert.That(sandbox.Namespace!.Contains(sleeper.Pid), Is.True, "the sleeper runs in the namespace");
            Assert.That(sandbox.Namespace.Contains(victim.Pid), Is.False, "the victim does not");
            Assert.That(pidsInside, Does.Contain(sleeper.PidInside).And.Contain(1), "the namespace sees its init and the sleeper");
            Assert.That(pidsInside, Does.Not.Contain(Environment.ProcessId).And.Not.Contain(victim.Pid), "and nothing outside");
            Assert.That(sandbox.SeenFromTest(sleeper.PidInside), Is.EqualTo(sleeper.Pid), "pids translate out");
            Assert.That(sandbox.SeenInside(sleeper.Pid), Is.EqualTo(sleeper.PidInside), "and in");
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task Disposing_a_pid_namespace_kills_everything_in_it_even_what_escaped_its_parent(CancellationToken cancellationToken)
    {
        // Arrange: a shell that leaves an unmarked, untracked, setsid'd sleep behind and exits (as an escaped
        // grandchild would), and a sleep the test knows.
        var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        IReadOnlyList<Identity> members;
        try
        {
            var escaper = await SpineFacts.RunProgramAsync(sandbox, "/bin/sh", ["-c", "setsid /bin/sleep 302 </dev/null >/dev/null 2>&1 & exit 0"], cancellationToken);
            Assert.That(escaper.ExitCode, Is.Zero, escaper.ToString());
            var known = LauncherProcess.StartProgram(sandbox, "/bin/sleep", ["303"]);
            await Eventually.TrueAsync(
                () => sandbox.Namespace!.Members().Count(pid => ProcessProbe.CommandLine(pid) is "/bin/sleep 302" or "/bin/sleep 303") == 2,
                Deadline, "both sleeps run in the namespace", cancellationToken);
            members = sandbox.Namespace!.Members().Select(Identity.Of).ToList();
            Assert.That(members.Select(m => m.Pid), Does.Contain(sandbox.Namespace.InitPid).And.Contain(known.Pid));
        }
        finally
        {
            // Act
            await sandbox.DisposeAsync();
        }

        // Assert
        Assert.That(members.Where(m => m.IsAlive), Is.Empty, "every process of the namespace is gone");
    }

    private static Process StartSleep(string marker)
    {
        var startInfo = new ProcessStartInfo("/usr/bin/env") { UseShellExecute = false };
        foreach (var arg in (string[])[marker, "sleep", "300"])
            startInfo.ArgumentList.Add(arg);
        return Process.Start(startInfo)!;
    }

    private static void KillIfRunning(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(10_000);
        }
    }
}
