using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, containment by the kernel (items 4 and 5): where cgroup v2 is writable, each launcher's workers live in
/// a cgroup of their own and nothing forked from them escapes the stop; without cgroups
/// (<c>LAUNCHER_CONTAINMENT=fallback</c>) the launcher still ends what it adopted as child subreaper. A worker that
/// drops privileges is stopped by a root launcher all the same.
/// </summary>
[TestFixture]
public sealed class KernelContainmentTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public enum Containment
    {
        Cgroup,
        Fallback,
    }

    [Test, CancelAfter(60_000)]
    public async Task Doctor_says_which_containment_is_in_force(CancellationToken cancellationToken)
    {
        await using var sandbox = await ContainmentSandbox.CreateAsync(cancellationToken);
        LauncherConfig.SampleWorkers().WriteTo(sandbox);

        var kernel = await LauncherCli.RunAsync(sandbox, ["doctor"], cancellationToken: cancellationToken);
        var fallback = await LauncherCli.RunAsync(sandbox, ["doctor"], environment: ContainmentSandbox.Environment(Containment.Fallback), cancellationToken: cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(kernel.Stdout, ContainmentSandbox.CgroupsWritable
                ? Does.Contain("containment: cgroup v2 at /")
                : Does.Contain("containment: fallback: "));
            Assert.That(fallback.Stdout, Does.Contain("containment: fallback: markers + process groups + subreaper + watchdog (LAUNCHER_CONTAINMENT=fallback)"));
        });
    }

    [TestCase(Containment.Cgroup), TestCase(Containment.Fallback)]
    [CancelAfter(90_000)]
    public async Task A_helper_that_daemonized_with_a_scrubbed_environment_dies_at_stop(Containment containment, CancellationToken cancellationToken)
    {
        // Arrange: the worker's shell starts `setsid env -i sleep N` from a subshell that exits at once, so the helper
        // has no marker, no parent worker, no process group or session of the worker: the launcher adopts it.
        await using var sandbox = await ContainmentSandbox.CreateAsync(cancellationToken, containment);
        var helper = ContainmentSandbox.UniqueSleep();
        ContainmentSandbox.WriteConfig(sandbox, workers: 1,
            ["/bin/sh", "-c", $"(setsid env -i {helper} &); exec \"$0\" --tick-seconds 1", Repo.SampleWorkerExe],
            stopGraceSeconds: 2);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"], environment: ContainmentSandbox.Environment(containment));
        await launcher.WaitForLineAsync("ready:", StartDeadline, cancellationToken);
        var helpers = await ContainmentSandbox.WaitForAsync(sandbox, helper, cancellationToken);
        var cgroup = ContainmentSandbox.CgroupOf(helpers[0]);

        // Act
        launcher.Signal(Signals.SIGTERM);
        var exitCode = await launcher.WaitForExitAsync(StartDeadline, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), launcher.Output);
            Assert.That(helpers.Where(ProcessProbe.IsAlive), Is.Empty, "the daemonized helper is gone after the stop");
            if (containment == Containment.Cgroup)
            {
                Assert.That(cgroup, Does.Match($"/launcher-{sandbox.Instance}-[0-9a-f]{{8}}-[0-9]+/workers$"), "the helper was in the workers' cgroup");
                Assert.That(ContainmentSandbox.CgroupDirectories(sandbox.Instance), Is.Empty, "the launcher removed its cgroups");
            }
            else
            {
                Assert.That(cgroup, Does.Not.Contain("/launcher-"), "no cgroup in the fallback");
            }

            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(90_000)]
    public async Task A_SIGKILLed_launchers_watchdog_ends_its_cgroup_with_the_daemonized_helper(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = await ContainmentSandbox.CreateAsync(cancellationToken, Containment.Cgroup);
        var helper = ContainmentSandbox.UniqueSleep();
        ContainmentSandbox.WriteConfig(sandbox, workers: 1,
            ["/bin/sh", "-c", $"(setsid env -i {helper} &); exec \"$0\" --tick-seconds 1", Repo.SampleWorkerExe]);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        await launcher.WaitForLineAsync("ready:", StartDeadline, cancellationToken);
        var helpers = await ContainmentSandbox.WaitForAsync(sandbox, helper, cancellationToken);

        // Act
        launcher.Signal(Signals.SIGKILL);

        // Assert: the helper carries no marker, so only the cgroup can find it.
        await Eventually.TrueAsync(() => !helpers.Any(ProcessProbe.IsAlive), Deadline, "the watchdog's cgroup.kill took the helper", cancellationToken);
        await Eventually.TrueAsync(() => ContainmentSandbox.CgroupDirectories(sandbox.Instance).Count == 0, Deadline, "the watchdog removed the cgroups", cancellationToken);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [TestCase(Containment.Cgroup), TestCase(Containment.Fallback)]
    [CancelAfter(90_000)]
    public async Task A_worker_that_dropped_privileges_is_stopped_by_a_root_launcher(Containment containment, CancellationToken cancellationToken)
    {
        // Arrange: `setpriv --reuid nobody` as the worker (celery --uid and gunicorn --user do the same).
        if (Environment.UserName != "root")
            Assert.Ignore("dropping privileges needs root");
        await using var sandbox = await ContainmentSandbox.CreateAsync(cancellationToken, containment);
        var sleep = ContainmentSandbox.UniqueSleep();
        ContainmentSandbox.WriteConfig(sandbox, workers: 2,
            ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", .. sleep.Split(' ')],
            ping: new { command = (string[])["/bin/echo", "{node}"], intervalSeconds = 60 },
            stopGraceSeconds: 2);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"], environment: ContainmentSandbox.Environment(containment));
        await launcher.WaitForLineAsync("ready:", StartDeadline, cancellationToken);
        var workers = await ContainmentSandbox.WaitForAsync(sandbox, sleep, cancellationToken, count: 2);
        Assert.That(workers.Select(ProcessProbe.UserOf), Is.All.EqualTo(65534), "the workers run as nobody");

        // Act
        var stop = await LauncherCli.RunAsync(sandbox, ["stop"], cancellationToken: cancellationToken);
        var exitCode = await launcher.WaitForExitAsync(StartDeadline, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(workers.Where(ProcessProbe.IsAlive), Is.Empty, "both privilege-dropped workers were stopped");
            Assert.That(stop.ExitCode, Is.EqualTo(0), stop.Stdout + stop.Stderr);
            Assert.That(exitCode, Is.EqualTo(0), launcher.Output);
            Assert.That(launcher.Output, Does.Contain("ended by SIGTERM").And.Not.Contain("0 process(es)"), "the stop signalled them");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(90_000)]
    public async Task A_SIGKILLed_launcher_leaves_no_privilege_dropped_worker_behind(CancellationToken cancellationToken)
    {
        if (Environment.UserName != "root")
            Assert.Ignore("dropping privileges needs root");
        await using var sandbox = await ContainmentSandbox.CreateAsync(cancellationToken, Containment.Cgroup);
        var sleep = ContainmentSandbox.UniqueSleep();
        ContainmentSandbox.WriteConfig(sandbox, workers: 1,
            ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", .. sleep.Split(' ')],
            ping: new { command = (string[])["/bin/echo", "{node}"], intervalSeconds = 60 });
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        await launcher.WaitForLineAsync("ready:", StartDeadline, cancellationToken);
        var workers = await ContainmentSandbox.WaitForAsync(sandbox, sleep, cancellationToken);

        launcher.Signal(Signals.SIGKILL);

        // The uid change cleared the worker's parent-death signal (credentials(7)); the cgroup still holds it.
        await Eventually.TrueAsync(() => !workers.Any(ProcessProbe.IsAlive), Deadline, "the worker died with the launcher's cgroup", cancellationToken);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(90_000)]
    public async Task Stop_fails_loudly_naming_a_worker_of_the_instance_that_is_still_running(CancellationToken cancellationToken)
    {
        // Arrange: beside the launcher's worker, a worker of the instance that is not the launcher's and not root's
        // (started by hand as nobody): the launcher may not touch it, so the stop cannot end it.
        if (Environment.UserName != "root")
            Assert.Ignore("dropping privileges needs root");
        await using var sandbox = await ContainmentSandbox.CreateAsync(cancellationToken);
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        await launcher.WaitForLineAsync("ready:", StartDeadline, cancellationToken);
        var foreign = ContainmentSandbox.UniqueSleep();
        await using var byHand = LauncherProcess.StartProgram(sandbox, "/usr/bin/setpriv",
            ["--reuid=nobody", "--regid=nogroup", "--clear-groups", .. foreign.Split(' ')],
            environment: new Dictionary<string, string?>(StringComparer.Ordinal) { ["LAUNCHER_INSTANCE"] = sandbox.Instance });
        await ContainmentSandbox.WaitForAsync(sandbox, foreign, cancellationToken);

        // Act
        var stop = await LauncherCli.RunAsync(sandbox, ["stop"], cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(stop.ExitCode, Is.EqualTo(1), stop.Stdout + stop.Stderr);
            Assert.That(stop.Stderr, Does.Contain("still running").And.Contain("uid 65534").And.Contain(foreign));
            Assert.That(stop.Stdout, Does.Not.Contain("\nstopped"));
        });
    }
}
