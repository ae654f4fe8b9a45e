using System.Text.Json.Nodes;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 11 end to end with real Celery: <c>examples/celery</c> (its census is <c>integrations/celery/census.py</c>)
/// against a real redis-server, with a Celery worker nobody told the launcher about. Started by hand on this machine
/// with Celery's default node name (no marker, no <c>strays.match</c> hit), only the broker knows it: the census
/// names it and the launcher stops it. Started on "another host" (its own pid + uts namespace), it is named and left
/// alone, and with <c>census.scope: all</c> the start fails with exit 4.
/// </summary>
[TestFixture]
public sealed class CeleryCensusTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);

    [Test, CancelAfter(240_000)]
    public async Task A_Celery_worker_started_by_hand_with_its_default_node_name_is_named_by_the_census_stopped_and_exactly_one_of_ours_remains(CancellationToken cancellationToken)
    {
        // Arrange: celery@<host>, a plain `celery -A tasks worker` in the app's directory, in the sandbox's pid namespace.
        SkipUnlessCeleryIsInstalled();
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        var app = Examples.CopyInto(sandbox, "celery");
        var config = Examples.WriteConfig(sandbox, "celery", app, Env(redis));
        await using var byHand = LauncherProcess.StartProgram(
            sandbox, PythonPackages.Python, ["-m", "celery", "-A", "tasks", "worker", "--pool=solo", "--loglevel=INFO"], app, Env(redis));
        var intruder = $"celery@{SelfIdentity.HostName}";
        await byHand.WaitForLineAsync($"{intruder} ready.", StartDeadline, cancellationToken);
        Assert.That(Examples.StrayPattern("celery").IsMatch(ProcessProbe.CommandLine(byHand.Pid)!)
            && ProcessProbe.CommandLine(byHand.Pid)!.Contains(app, StringComparison.Ordinal), Is.False,
            "the test's strays.match (scoped to the copy) does not catch it: only the broker can");

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, args: ["--config", config], cancellationToken: cancellationToken);

        // Assert: named with its pid from the broker, stopped gracefully, and the broker now sees exactly our node.
        var intruderExit = await byHand.WaitForExitAsync(StartDeadline, cancellationToken);
        var ours = run.Workers.Single().Node;
        var census = await IntegrationScript.RunAsync(sandbox, "celery/census.py", ["-A", "tasks", "--names", "--timeout", "4"], Env(redis), cancellationToken, app);
        Assert.Multiple(() =>
        {
            Assert.That(run.Output, Does.Contain($"Census: stopped foreign consumer {intruder}#{byHand.PidInside}"), run.Output);
            Assert.That(intruderExit, Is.Zero, "Celery's warm shutdown on SIGTERM: " + string.Join('\n', byHand.StderrLines.TakeLast(5)));
            Assert.That(census.ExitCode, Is.Zero, census.ToString());
            Assert.That(census.Stdout, Is.EqualTo(new[] { ours }), "celery census after ready: exactly the launcher's one node");
        });
        Assert.That(await run.StopAsync(cancellationToken), Is.Zero, run.Output);
    }

    [Test, CancelAfter(240_000)]
    public async Task A_Celery_worker_on_another_host_is_named_not_killed_and_with_scope_all_the_start_exits_4(CancellationToken cancellationToken)
    {
        // Arrange: "another machine": a Celery worker as PID 1 of its own pid + uts namespace named remote-1.
        SkipUnlessCeleryIsInstalled();
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        var app = Examples.CopyInto(sandbox, "celery");
        await using var remote = await ContainerNamespace.StartAsync(
            sandbox, "remote-1", PythonPackages.Python, ["-m", "celery", "-A", "tasks", "worker", "--pool=solo", "--loglevel=INFO"], app, Env(redis), cancellationToken);
        await remote.Process.WaitForLineAsync("celery@remote-1 ready.", StartDeadline, cancellationToken);
        var config = Examples.WriteConfig(sandbox, "celery", app, Env(redis), c => c["census"]!["scope"] = "all");

        // Act
        await using var launcher = LauncherProcess.Start(sandbox, ["run", "--config", config]);
        var exitCode = await launcher.WaitForExitAsync(StartDeadline, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(4), launcher.Output);
            Assert.That(launcher.Output, Does.Contain("beside ours: celery@remote-1 (pid 1, host remote-1"), launcher.Output);
            Assert.That(launcher.Output, Does.Contain("it runs on another host (remote-1)"), launcher.Output);
            Assert.That(launcher.Output, Does.Not.Contain("ready:"));
            Assert.That(ProcessProbe.IsAlive(remote.InitPid), Is.True, "the other host's worker is never killed");
            Assert.That(sandbox.Survivors().Where(pid => pid != redis.Pid && pid != remote.InitPid && pid != remote.Process.Pid), Is.Empty,
                "nothing of the failed start is left");
        });
    }

    private static void SkipUnlessCeleryIsInstalled()
    {
        RedisServer.SkipUnlessAvailable();
        PythonPackages.SkipUnless("celery");
    }

    private static Dictionary<string, string?> Env(RedisServer redis) => new() { ["REDIS_URL"] = redis.Url + "/0" };
}
