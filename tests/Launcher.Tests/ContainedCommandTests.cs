using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, item 6: an <c>onWorkerExit</c> hook or a <c>ping.command</c> that leaves a background child holding its
/// stdout is judged by its own exit (at once), and the child is killed: nothing leaks, nothing is reported as a
/// timeout. Checked with cgroups and with the fallback (process groups).
/// </summary>
[TestFixture]
public sealed class ContainedCommandTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [TestCase(KernelContainmentTests.Containment.Cgroup), TestCase(KernelContainmentTests.Containment.Fallback)]
    [CancelAfter(90_000)]
    public async Task A_hook_whose_child_holds_stdout_finishes_at_its_own_exit_and_the_child_is_killed(
        KernelContainmentTests.Containment containment, CancellationToken cancellationToken)
    {
        // Arrange: the hook backgrounds a sleep (which inherits its stdout) and exits 0 at once; its timeout is long.
        await using var sandbox = await ContainmentSandbox.CreateAsync(cancellationToken, containment);
        var child = ContainmentSandbox.UniqueSleep();
        ContainmentSandbox.WriteConfig(sandbox, workers: 1, [Repo.SampleWorkerExe, "--tick-seconds", "1"],
            onWorkerExit: new
            {
                command = (string[])["/bin/sh", "-c", $"echo \"hook ran for $LAUNCHER_NODE\" > \"$0/hook.txt\"; {child} & echo hook-started-child", sandbox.Dir],
                timeoutSeconds = 25,
            },
            stopGraceSeconds: 2);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"], environment: ContainmentSandbox.Environment(containment));
        await launcher.WaitForLineAsync("ready:", StartDeadline, cancellationToken);

        // Act: the stop runs the hook for the stopped worker.
        launcher.Signal(Signals.SIGTERM);
        var exitCode = await launcher.WaitForExitAsync(StartDeadline, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), launcher.Output);
            Assert.That(File.Exists(Path.Combine(sandbox.Dir, "hook.txt")), Is.True, "the hook ran");
            Assert.That(launcher.Output, Does.Contain("finished with exit code 0").And.Not.Contain("did not finish"),
                "judged by its own exit, not by its stdout closing");
            Assert.That(launcher.Output, Does.Contain("killed 1 process(es) it left behind"));
            Assert.That(ContainmentSandbox.Running(child), Is.Empty, "the hook's background child is gone");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [TestCase(KernelContainmentTests.Containment.Cgroup), TestCase(KernelContainmentTests.Containment.Fallback)]
    [CancelAfter(90_000)]
    public async Task A_ping_command_that_leaves_a_child_holding_stdout_still_answers_and_leaks_nothing(
        KernelContainmentTests.Containment containment, CancellationToken cancellationToken)
    {
        // Arrange: the ping names the node and exits 0 at once, but its background sleep keeps stdout open.
        await using var sandbox = await ContainmentSandbox.CreateAsync(cancellationToken, containment);
        var child = ContainmentSandbox.UniqueSleep();
        ContainmentSandbox.WriteConfig(sandbox, workers: 2, [Repo.SampleWorkerExe, "--tick-seconds", "1"],
            ping: new { command = (string[])["/bin/sh", "-c", $"{child} & echo \"$0\"", "{node}"], timeoutSeconds = 10, intervalSeconds = 60 },
            stopGraceSeconds: 2);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"], environment: ContainmentSandbox.Environment(containment));

        // Act
        var ready = await launcher.WaitForLineAsync("ready:", StartDeadline, cancellationToken);

        // Assert: verified (not "no answer within 10 s"), and no ping's child outlives its ping.
        await Eventually.TrueAsync(() => ContainmentSandbox.Running(child).Count == 0, Deadline, "every ping's background child was killed", cancellationToken);
        launcher.Signal(Signals.SIGTERM);
        var exitCode = await launcher.WaitForExitAsync(StartDeadline, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(ready, Does.Contain("2/2 workers verified"));
            Assert.That(exitCode, Is.EqualTo(0), launcher.Output);
            Assert.That(ContainmentSandbox.Running(child), Is.Empty);
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }
}
