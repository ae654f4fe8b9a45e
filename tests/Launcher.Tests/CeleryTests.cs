using System.Text.Json;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 5, Celery: <c>examples/celery</c> (its tasks module and its launcher.json) under the launcher, against a
/// real redis-server and Debian's python3-celery. Celery itself lets two workers share a node name (the inspect
/// side only warns); the launcher makes sure exactly one runs.
/// </summary>
[TestFixture]
public sealed class CeleryTests
{
    private const string Example = "celery";
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(120_000)]
    public async Task The_launcher_supervises_one_Celery_worker_and_celery_inspect_ping_finds_exactly_that_node(CancellationToken cancellationToken)
    {
        // Arrange
        SkipUnlessCeleryIsInstalled();
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        var app = Examples.CopyInto(sandbox, Example);
        var config = Examples.WriteConfig(sandbox, Example, app, Environment(redis));

        // Act
        await using var launcher = await LauncherRun.StartAsync(sandbox, args: ["--config", config], cancellationToken: cancellationToken);
        var ready = launcher.Ready;
        var (node, pid) = (launcher.Workers.Single().Node, launcher.Workers.Single().Pid);
        var online = await InspectPingAsync(sandbox, app, redis, cancellationToken);

        // Assert: Celery's own view (a broadcast, no destination) and the process table agree: one worker, ours.
        Assert.Multiple(() =>
        {
            Assert.That(ReadyLine.Counts(ready), Is.EqualTo((1, 1)), ready);
            Assert.That(node, Is.EqualTo(SelfIdentity.NodeName(pid)), "the node name holds the worker's own pid");
            Assert.That(online, Is.EqualTo(new[] { node }), "celery inspect ping: exactly the launcher's node is online");
            Assert.That(CeleryWorkers(sandbox, app), Is.EqualTo(new[] { pid }), "one Celery worker process, the one the launcher started");
        });

        Assert.That(await launcher.StopAsync(cancellationToken), Is.Zero, launcher.Output);
        Assert.Multiple(() =>
        {
            Assert.That(CeleryWorkers(sandbox, app), Is.Empty);
            Assert.That(sandbox.Survivors().Where(pid => pid != redis.Pid), Is.Empty, "nothing but the test's redis-server is left");
        });
    }

    [Test, CancelAfter(120_000)]
    public async Task A_Celery_worker_started_by_hand_is_killed_with_its_pool_children_and_one_worker_tree_remains(CancellationToken cancellationToken)
    {
        // Arrange: a worker started by hand, as a developer would, with a prefork pool (2 children) and a node name
        // in the launcher's scheme (api<its pid>@host): the duplicate Celery only warns about on the inspect side.
        SkipUnlessCeleryIsInstalled();
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        var app = Examples.CopyInto(sandbox, Example);
        var config = Examples.WriteConfig(sandbox, Example, app, Environment(redis));
        await using var byHand = LauncherProcess.StartProgram(
            sandbox,
            "/bin/sh",
            ["-c", $"exec {PythonPackages.Python} -m celery -A tasks --workdir {app} worker -n api$$@{SelfIdentity.HostName} --pool=prefork --concurrency=2 --loglevel=INFO"],
            app,
            Environment(redis));
        await byHand.WaitForLineAsync($"api{byHand.Pid}@{SelfIdentity.HostName} ready.", StartDeadline, cancellationToken);
        var handTree = (int[])[byHand.Pid, .. ProcessProbe.DescendantsOf(byHand.Pid)];
        foreach (var member in handTree)
            sandbox.Processes.Track(member);
        Assert.That(handTree, Has.Length.EqualTo(3), "the hand-started worker and its 2 pool children run");
        Assert.That(Examples.StrayPattern(Example).IsMatch(ProcessProbe.CommandLine(byHand.Pid)!), Is.True,
            "the example's strays.match pattern catches a hand-started worker of its app");

        // Act
        await using var launcher = await LauncherRun.StartAsync(sandbox, args: ["--config", config], cancellationToken: cancellationToken);
        var pid = launcher.Workers.Single().Pid;

        // Assert
        var stray = launcher.Process.StderrLines.Concat(launcher.Process.StdoutLines).FirstOrDefault(l => l.Contains("Killed stray", StringComparison.Ordinal)) ?? "";
        Assert.Multiple(() =>
        {
            Assert.That(handTree.Where(ProcessProbe.IsAlive), Is.Empty, "the hand-started worker and its pool children are gone");
            Assert.That(stray, Does.Contain($"pid {byHand.Pid}").And.Contain("3 process(es)"), launcher.Output);
            Assert.That(CeleryWorkers(sandbox, app), Is.EqualTo(new[] { pid }), "exactly one Celery worker process tree: the launcher's");
        });

        Assert.That(await launcher.StopAsync(cancellationToken), Is.Zero, launcher.Output);
        Assert.Multiple(() =>
        {
            Assert.That(CeleryWorkers(sandbox, app), Is.Empty);
            Assert.That(sandbox.Survivors().Where(pid => pid != redis.Pid), Is.Empty, "nothing but the test's redis-server is left");
        });
    }

    private static void SkipUnlessCeleryIsInstalled()
    {
        RedisServer.SkipUnlessAvailable();
        PythonPackages.SkipUnless("celery");
    }

    private static Dictionary<string, string?> Environment(RedisServer redis) => new() { ["REDIS_URL"] = redis.Url + "/0" };

    /// <summary>Celery worker processes of this test: the launcher's (by marker) and any naming the copy (by hand).</summary>
    private static List<int> CeleryWorkers(Sandbox sandbox, string app)
    {
        var marked = ProcessProbe.PidsWithMarker(sandbox.Instance).ToHashSet();
        return Examples.ProcessesWhere(line => line.Contains("-m celery ", StringComparison.Ordinal) && line.Contains(" worker ", StringComparison.Ordinal))
            .Where(pid => marked.Contains(pid) || ProcessProbe.CommandLine(pid)?.Contains(app, StringComparison.Ordinal) == true)
            .ToList();
    }

    /// <summary>Runs <c>celery inspect ping --json</c> to every worker on the broker; returns the node names that replied.</summary>
    private static async Task<IReadOnlyList<string>> InspectPingAsync(Sandbox sandbox, string app, RedisServer redis, CancellationToken cancellationToken)
    {
        var (exitCode, stdout, output) = await Examples.RunAsync(
            sandbox, PythonPackages.Python, ["-m", "celery", "-A", "tasks", "inspect", "ping", "--json", "--timeout", "4"],
            app, Environment(redis), cancellationToken);
        Assert.That(exitCode, Is.Zero, $"celery inspect ping: {output}");
        var json = stdout.Split('\n').Single(line => line.StartsWith('{'));
        using var replies = JsonDocument.Parse(json);
        return replies.RootElement.EnumerateObject().Select(p => p.Name).ToList();
    }
}
