using System.Globalization;
using System.Text.Json;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 11, part 4: the Celery integration (<c>integrations/celery/ping.py</c>, <c>census.py</c>) against a real
/// redis-server and a real Celery 5.2 worker started by hand with the example's app: the census names every node the
/// broker reaches (pid, host, queues), ping answers for one node, and a broker that cannot be reached, a wrong URL or
/// an app that cannot be imported is one line and a non-zero exit.
/// </summary>
[TestFixture]
public sealed class CeleryIntegrationTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);

    [Test, CancelAfter(180_000)]
    public async Task The_Celery_census_names_a_hand_started_worker_with_its_pid_and_queues_and_ping_answers_for_that_node(CancellationToken cancellationToken)
    {
        // Arrange: a worker started by hand with Celery's default node name (celery@host), as a developer would.
        SkipUnlessCeleryIsInstalled();
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        var app = Examples.CopyInto(sandbox, "celery");
        await using var worker = LauncherProcess.StartProgram(
            sandbox, PythonPackages.Python, ["-m", "celery", "-A", "tasks", "worker", "--pool=solo", "--loglevel=INFO"], app, Env(redis));
        var node = $"celery@{SelfIdentity.HostName}";
        await worker.WaitForLineAsync($"{node} ready.", StartDeadline, cancellationToken);

        // Act: from the app's directory, as the launcher runs them (its workingDirectory).
        var census = await IntegrationScript.RunAsync(sandbox, "celery/census.py", ["-A", "tasks"], Env(redis), cancellationToken, app);
        var byQueue = await IntegrationScript.RunAsync(sandbox, "celery/census.py", ["--queue", "other", "--names"], Env(redis), cancellationToken);
        var ping = await IntegrationScript.RunAsync(sandbox, "celery/ping.py", [node, "-A", "tasks", "--timeout", "10"], Env(redis), cancellationToken, app);
        var nobody = await IntegrationScript.RunAsync(sandbox, "celery/ping.py", [$"nobody@{SelfIdentity.HostName}", "--broker", redis.Url + "/0"], null, cancellationToken);

        // Assert
        Assert.That(census.ExitCode, Is.Zero, census.ToString());
        using var record = JsonDocument.Parse(census.Stdout.Single());
        var root = record.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("node").GetString(), Is.EqualTo(node));
            Assert.That(root.GetProperty("pid").GetInt32(), Is.EqualTo(worker.Pid), "the pid from the worker's stats reply");
            Assert.That(root.GetProperty("host").GetString(), Is.EqualTo(SelfIdentity.HostName));
            Assert.That(root.GetProperty("queues").EnumerateArray().Select(q => q.GetString()), Is.EqualTo(new[] { "celery" }));
            Assert.That(DateTimeOffset.Parse(root.GetProperty("heartbeat").GetString()!, CultureInfo.InvariantCulture),
                Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(2)), "the moment of the reply");
            Assert.That(byQueue.ExitCode, Is.Zero, byQueue.ToString());
            Assert.That(byQueue.Stdout, Is.Empty, "--queue other: the worker consumes 'celery' only");
            Assert.That(ping.ExitCode, Is.Zero, ping.ToString());
            Assert.That(ping.Stdout, Is.EqualTo(new[] { node }));
            Assert.That(nobody.ExitCode, Is.EqualTo(1), nobody.ToString());
            Assert.That(nobody.Stdout.Single(), Does.StartWith("not alive:"));
        });
    }

    [TestCase("celery/ping.py", new[] { "api1@host" })]
    [TestCase("celery/census.py", new string[0])]
    [CancelAfter(90_000)]
    public async Task A_Celery_script_says_in_one_line_that_the_broker_is_unreachable_the_URL_is_wrong_or_the_app_is_missing(string script, string[] args, CancellationToken cancellationToken)
    {
        SkipUnlessCeleryIsInstalled();
        await using var sandbox = new Sandbox();
        var unreachableUrl = IntegrationScript.UnreachableRedisUrl();

        var unreachable = await IntegrationScript.RunAsync(sandbox, script, args, new Dictionary<string, string?> { ["REDIS_URL"] = unreachableUrl }, cancellationToken);
        var wrongTransport = await IntegrationScript.RunAsync(sandbox, script, [.. args, "--broker", "redis-x://127.0.0.1/0"], null, cancellationToken);
        var missingApp = await IntegrationScript.RunAsync(sandbox, script, [.. args, "-A", "no_such_tasks"], null, cancellationToken);
        var help = await IntegrationScript.RunAsync(sandbox, script, ["--help"], null, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(unreachable.ExitCode, Is.EqualTo(3), unreachable.ToString());
            Assert.That(unreachable.Stderr, Has.Count.EqualTo(1), unreachable.ToString());
            Assert.That(string.Join('\n', unreachable.Stderr), Does.StartWith("celery ").And.Contain($"cannot reach the broker at {unreachableUrl} (from REDIS_URL)"));
            Assert.That(unreachable.Stdout, Is.Empty);
            Assert.That(wrongTransport.ExitCode, Is.EqualTo(2), wrongTransport.ToString());
            Assert.That(wrongTransport.Stderr, Has.Count.EqualTo(1), wrongTransport.ToString());
            Assert.That(string.Join('\n', wrongTransport.Stderr), Does.Contain("wrong broker URL 'redis-x://127.0.0.1/0' (from --broker)"));
            Assert.That(missingApp.ExitCode, Is.EqualTo(2), missingApp.ToString());
            Assert.That(missingApp.Stderr, Has.Count.EqualTo(1), missingApp.ToString());
            Assert.That(string.Join('\n', missingApp.Stderr), Does.Contain("cannot import the app 'no_such_tasks'"));
            Assert.That(help.ExitCode, Is.Zero, help.ToString());
            Assert.That(string.Join('\n', help.Stdout), Does.Contain("example:"));
        });
    }

    private static void SkipUnlessCeleryIsInstalled()
    {
        RedisServer.SkipUnlessAvailable();
        PythonPackages.SkipUnless("celery");
    }

    private static Dictionary<string, string?> Env(RedisServer redis) => new() { ["REDIS_URL"] = redis.Url + "/0" };
}
