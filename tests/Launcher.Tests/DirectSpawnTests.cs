using System.Globalization;
using System.Runtime.Versioning;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 12, the restart fast path: the launcher starts a worker with its own vfork and exec, no exec shim between.
/// What the shim did must still hold for the program itself (its pid in argv and LAUNCHER_NODE, its process group,
/// its cgroup, default signals), and nothing the launcher inherited reaches it. The shim stays as the fallback
/// (<c>LAUNCHER_EXEC_SHIM=1</c>, or a kernel without pidfds), so a program that cannot run says why the same way on
/// both paths.
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
public sealed class DirectSpawnTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Test, CancelAfter(120_000)]
    public async Task A_worker_is_execd_straight_from_the_launcher_with_its_pid_filled_in_default_signals_its_own_group_and_cgroup_and_no_inherited_descriptor(
        CancellationToken cancellationToken)
    {
        // Arrange: two `sleep` workers whose argument carries their own pid; the launcher is started holding fd 7
        // without O_CLOEXEC, as an IDE's or a terminal's pipe would be.
        await using var sandbox = new Sandbox();
        new LauncherConfig
        {
            Command = ["/bin/sleep", "100{pid}"],
            Workers = 2,
            Ping = new { command = new[] { "/bin/echo", "{node}" }, intervalSeconds = 30 },
        }.WriteTo(sandbox);
        await using var launcher = LauncherProcess.StartProgram(sandbox, "/bin/bash", ["-c", "exec 7</dev/null; exec \"$0\" run", Repo.LauncherExe]);

        // Act
        var ready = await launcher.WaitForLineAsync(ReadyLine.Is, LauncherRun.StartDeadline, cancellationToken);
        var pids = ReadyLine.Pids(ready);
        foreach (var pid in pids)
            sandbox.Processes.Track(pid);

        // Assert
        Assert.That(File.Exists($"/proc/{launcher.Pid}/fd/7"), Is.True, "the launcher itself holds the inherited fd 7");
        Assert.That(pids, Has.Count.EqualTo(2), ready);
        Assert.Multiple(() =>
        {
            foreach (var pid in pids)
            {
                var status = File.ReadAllLines($"/proc/{pid}/status");
                Assert.That(ProcessProbe.ParentOf(pid), Is.EqualTo(launcher.Pid), "no shim between the launcher and its worker");
                Assert.That(ProcessProbe.CommandLine(pid), Is.EqualTo($"/bin/sleep 100{pid}"), "{pid} is the worker's own pid");
                Assert.That(SpineFacts.EnvironmentOf(pid, EnvironmentNames.Node), Is.EqualTo($"api{pid}@{SelfIdentity.HostName}"));
                Assert.That(SpineFacts.EnvironmentOf(pid, "LAUNCHER_CGROUP"), Is.Null, "the cgroup's name is the launcher's business");
                Assert.That(Directory.GetFiles($"/proc/{pid}/fd").Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "0", "1", "2" }),
                    "stdin, stdout and stderr only: fd 7 and the launcher's own descriptors stay behind");
                Assert.That(status, Does.Contain("SigIgn:\t0000000000000000"), "no signal ignored (the runtime ignores SIGPIPE)");
                Assert.That(status, Does.Contain("SigBlk:\t0000000000000000"), "no signal blocked");
                Assert.That(ProcessGroupOf(pid), Is.EqualTo(pid), "a process group of its own");
                if (launcher.Output.Contains("Containment: cgroup v2 at /", StringComparison.Ordinal))
                    Assert.That(ContainmentSandbox.CgroupOf(pid), Does.Match($"/launcher-{sandbox.Instance}-[0-9a-f]{{8}}-{launcher.Pid}/workers$"), "in the workers' cgroup from its exec on");
            }
        });

        launcher.Signal(Signals.SIGTERM);
        Assert.That(await launcher.WaitForExitAsync(LauncherRun.StopDeadline, cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [TestCase(false, TestName = "A_program_that_cannot_be_execd_says_why_in_its_log_and_exits_127")]
    [TestCase(true, TestName = "A_program_that_cannot_be_execd_says_why_in_its_log_and_exits_127_through_the_exec_shim_too")]
    [CancelAfter(120_000)]
    public async Task A_program_that_cannot_be_execd_says_why(bool throughShim, CancellationToken cancellationToken)
    {
        // Arrange: an executable file that is no program (no ELF header, no #!): execve(2) answers ENOEXEC.
        await using var sandbox = new Sandbox();
        var program = Path.Combine(sandbox.Dir, "not-a-program");
        await File.WriteAllTextAsync(program, "just text\n", cancellationToken);
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        new LauncherConfig
        {
            Command = [program],
            Ping = new { command = new[] { "/bin/echo", "{node}" } },
            Restart = new { enabled = false },
        }.WriteTo(sandbox);

        // Act
        await using var launcher = LauncherProcess.Start(sandbox, ["run"], environment: new Dictionary<string, string?> { ["LAUNCHER_EXEC_SHIM"] = throughShim ? "1" : null });
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert
        var logs = Directory.GetFiles(sandbox.LogDir, "worker_*.log");
        Assert.That(exitCode, Is.EqualTo(4), launcher.Output);
        Assert.That(launcher.Output, Does.Contain("exited (exit code 127) before verification"), "127, as a shell's exit for a command it cannot run");
        Assert.That(logs, Has.Length.EqualTo(1), launcher.Output);
        Assert.That(await File.ReadAllTextAsync(logs[0], cancellationToken),
            Does.Contain($"err launcher: cannot start '{program}': Exec format error (errno 8)"));
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    private static int ProcessGroupOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2], CultureInfo.InvariantCulture);
    }
}
