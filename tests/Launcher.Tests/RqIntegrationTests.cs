using System.Text.Json;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 11, part 4: the RQ integration (<c>integrations/rq/ping.py</c>, <c>census.py</c>, <c>lost.py</c>) against a
/// real redis-server and real RQ 1.13 workers started by hand (no launcher): what each script sees and changes in
/// Redis, and one clear line with a non-zero exit when Redis cannot be reached or the URL is wrong.
/// </summary>
[TestFixture]
public sealed class RqIntegrationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Test, CancelAfter(120_000)]
    public async Task The_RQ_census_lists_a_live_worker_with_its_pid_host_heartbeat_and_queues_and_ping_answers_for_it(CancellationToken cancellationToken)
    {
        // Arrange: a worker on queue default, started by hand.
        SkipUnlessRqIsInstalled();
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        var app = Examples.CopyInto(sandbox, "rq");
        await using var worker = await StartWorkerAsync(sandbox, app, redis, $"census{sandbox.Instance}@{SelfIdentity.HostName}", cancellationToken);
        var node = $"census{sandbox.Instance}@{SelfIdentity.HostName}";

        // Act
        var census = await IntegrationScript.RunAsync(sandbox, "rq/census.py", [], Env(redis), cancellationToken);
        var otherQueue = await IntegrationScript.RunAsync(sandbox, "rq/census.py", ["--queue", "other"], Env(redis), cancellationToken);
        var names = await IntegrationScript.RunAsync(sandbox, "rq/census.py", ["--names", "--queue", "default", "--url", redis.Url + "/0"], null, cancellationToken);
        var alive = await IntegrationScript.RunAsync(sandbox, "rq/ping.py", [node, worker.Pid.ToString()], Env(redis), cancellationToken);
        var wrongPid = await IntegrationScript.RunAsync(sandbox, "rq/ping.py", [node, "1"], Env(redis), cancellationToken);

        // Assert
        Assert.That(census.ExitCode, Is.Zero, census.ToString());
        using var record = JsonDocument.Parse(census.Stdout.Single());
        var root = record.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("node").GetString(), Is.EqualTo(node));
            Assert.That(root.GetProperty("pid").GetInt32(), Is.EqualTo(worker.Pid));
            Assert.That(root.GetProperty("host").GetString(), Is.EqualTo(SelfIdentity.HostName));
            Assert.That(root.GetProperty("queues").EnumerateArray().Select(q => q.GetString()), Is.EqualTo(new[] { "default" }));
            Assert.That(DateTimeOffset.Parse(root.GetProperty("heartbeat").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(2)), "a fresh heartbeat");
            Assert.That(otherQueue.ExitCode, Is.Zero, otherQueue.ToString());
            Assert.That(otherQueue.Stdout, Is.Empty, "--queue other: the worker listens on default only");
            Assert.That(names.Stdout, Is.EqualTo(new[] { node }), names.ToString());
            Assert.That(alive.ExitCode, Is.Zero, alive.ToString());
            Assert.That(alive.Stdout, Is.EqualTo(new[] { node }));
            Assert.That(wrongPid.ExitCode, Is.EqualTo(1), wrongPid.ToString());
            Assert.That(wrongPid.Stdout.Single(), Does.Contain($"registered by pid {worker.Pid}, not 1"));
        });
    }

    [TestCase(false, TestName = "RQ lost fails a dead worker's started job with a reason and frees its name for a new worker")]
    [TestCase(true, TestName = "RQ lost with --requeue puts a dead worker's started job back at the front of its queue")]
    [CancelAfter(150_000)]
    public async Task Lost_recovers_a_dead_workers_job_and_registration(bool requeue, CancellationToken cancellationToken)
    {
        // Arrange: a worker busy with a 60 s job, then SIGKILLed with its work horse, as a killed container leaves it.
        SkipUnlessRqIsInstalled();
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        var app = Examples.CopyInto(sandbox, "rq");
        var node = $"lost{sandbox.Instance}@{SelfIdentity.HostName}";
        int pid;
        string job;
        await using (var worker = await StartWorkerAsync(sandbox, app, redis, node, cancellationToken))
        {
            pid = worker.Pid;
            var (exitCode, stdout, output) = await Examples.RunAsync(
                sandbox, PythonPackages.Python, ["enqueue.py", "sleep_for", "60"], app, Env(redis), cancellationToken);
            Assert.That(exitCode, Is.Zero, output);
            job = stdout.Trim();
            await Eventually.TrueAsync(async () => (await StartedJobsAsync(redis, cancellationToken)).Contains(job),
                Deadline, $"job {job} is in StartedJobRegistry", cancellationToken);
            var horses = ProcessProbe.DescendantsOf(pid);
            foreach (var horse in horses)
                sandbox.Processes.Track(horse);
            Assert.That(ProcessProbe.Signal(pid, Signals.SIGKILL), Is.True);
            foreach (var horse in horses)
                _ = ProcessProbe.Signal(horse, Signals.SIGKILL);
            await Eventually.TrueAsync(() => !ProcessProbe.IsAlive(pid) && !horses.Any(ProcessProbe.IsAlive),
                Deadline, "the worker and its work horse are gone", cancellationToken);
        }

        var before = await IntegrationScript.RunAsync(sandbox, "rq/census.py", ["--names"], Env(redis), cancellationToken);
        await using (var collision = await StartWorkerAsync(sandbox, app, redis, node, cancellationToken, expectStart: false))
            Assert.That(collision.Output, Does.Contain("There exists an active worker named"), "RQ alone refuses the name while the dead registration lasts");

        // Act: the hook as the launcher runs it for a lost node.
        var hookEnv = new Dictionary<string, string?>(Env(redis))
        {
            ["LAUNCHER_NODE"] = node,
            ["LAUNCHER_PID"] = pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LAUNCHER_EXIT_REASON"] = "lost",
        };
        var lost = await IntegrationScript.RunAsync(sandbox, "rq/lost.py", requeue ? ["--requeue"] : [], hookEnv, cancellationToken);

        // Assert: the job left StartedJobRegistry (failed with a reason, or requeued), the registration is gone, and
        // a new worker takes the name.
        var after = await IntegrationScript.RunAsync(sandbox, "rq/census.py", ["--names"], Env(redis), cancellationToken);
        var status = await Examples.RedisAsync(redis, cancellationToken, "HGET", $"rq:job:{job}", "status");
        var queued = await Examples.RedisAsync(redis, cancellationToken, "LRANGE", "rq:queue:default", "0", "-1");
        var failed = await Examples.RedisAsync(redis, cancellationToken, "ZRANGE", "rq:failed:default", "0", "-1");
        Assert.Multiple(async () =>
        {
            Assert.That(before.Stdout, Is.EqualTo(new[] { node }), "the census lists the dead worker's registration: " + before);
            Assert.That(lost.ExitCode, Is.Zero, lost.ToString());
            Assert.That(lost.Stdout, Has.Some.Contain($"job {job} " + (requeue ? "requeued at the front of 'default'" : $"failed: worker {node} died while running this job (lost, pid {pid}")));
            Assert.That(await StartedJobsAsync(redis, cancellationToken), Does.Not.Contain(job));
            Assert.That(after.Stdout, Is.Empty, "no registration left: " + after);
            Assert.That(await Examples.RedisAsync(redis, cancellationToken, "SMEMBERS", "rq:workers"), Is.Empty);
            Assert.That(status, Is.EqualTo(new[] { requeue ? "queued" : "failed" }));
            Assert.That(requeue ? queued : failed, Does.Contain(job));
        });
        await using var successor = await StartWorkerAsync(sandbox, app, redis, node, cancellationToken);
        Assert.That(successor.HasExited, Is.False, successor.Output);
    }

    [Test, CancelAfter(120_000)]
    public async Task RQ_lost_leaves_a_registration_of_another_pid_untouched_and_exits_1(CancellationToken cancellationToken)
    {
        // Arrange: a live worker holds the name; the launcher names a different (dead) pid for it.
        SkipUnlessRqIsInstalled();
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        var app = Examples.CopyInto(sandbox, "rq");
        var node = $"live{sandbox.Instance}@{SelfIdentity.HostName}";
        await using var worker = await StartWorkerAsync(sandbox, app, redis, node, cancellationToken);
        var hookEnv = new Dictionary<string, string?>(Env(redis)) { ["LAUNCHER_NODE"] = node, ["LAUNCHER_EXIT_REASON"] = "lost" };

        // Act
        var lost = await IntegrationScript.RunAsync(sandbox, "rq/lost.py", ["--pid", (worker.Pid + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)], hookEnv, cancellationToken);

        // Assert
        Assert.Multiple(async () =>
        {
            Assert.That(lost.ExitCode, Is.EqualTo(1), lost.ToString());
            Assert.That(lost.Stdout.Single(), Does.Contain($"registered by pid {worker.Pid}").And.Contain("nothing changed"));
            Assert.That(await Examples.RedisAsync(redis, cancellationToken, "SMEMBERS", "rq:workers"), Is.EqualTo(new[] { $"rq:worker:{node}" }));
            Assert.That(ProcessProbe.IsAlive(worker.Pid), Is.True);
        });
    }

    [TestCase("rq/ping.py", new[] { "api1@host", "1" })]
    [TestCase("rq/census.py", new string[0])]
    [TestCase("rq/lost.py", new[] { "--node", "api1@host" })]
    [CancelAfter(60_000)]
    public async Task An_RQ_script_says_in_one_line_that_Redis_is_unreachable_or_the_URL_is_wrong(string script, string[] args, CancellationToken cancellationToken)
    {
        SkipUnlessRqIsInstalled();
        await using var sandbox = new Sandbox();
        var unreachableUrl = IntegrationScript.UnreachableRedisUrl();

        var unreachable = await IntegrationScript.RunAsync(sandbox, script, args, new Dictionary<string, string?> { ["REDIS_URL"] = unreachableUrl }, cancellationToken);
        var wrongScheme = await IntegrationScript.RunAsync(sandbox, script, [.. args, "--url", "http://127.0.0.1:6379/0"], null, cancellationToken);
        var wrongDb = await IntegrationScript.RunAsync(sandbox, script, [.. args, "--url", "redis://127.0.0.1:6379/zero"], null, cancellationToken);
        var help = await IntegrationScript.RunAsync(sandbox, script, ["--help"], null, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(unreachable.ExitCode, Is.EqualTo(3), unreachable.ToString());
            Assert.That(unreachable.Stderr, Has.Count.EqualTo(1), unreachable.ToString());
            Assert.That(string.Join('\n', unreachable.Stderr), Does.StartWith("rq ").And.Contain($"cannot reach Redis at {unreachableUrl} (from REDIS_URL)"));
            Assert.That(unreachable.Stdout, Is.Empty, "nothing on stdout a launcher could take for an answer");
            Assert.That(wrongScheme.ExitCode, Is.EqualTo(2), wrongScheme.ToString());
            Assert.That(wrongScheme.Stderr, Has.Count.EqualTo(1), wrongScheme.ToString());
            Assert.That(string.Join('\n', wrongScheme.Stderr), Does.Contain("wrong Redis URL 'http://127.0.0.1:6379/0' (from --url)"));
            Assert.That(wrongDb.ExitCode, Is.EqualTo(2), wrongDb.ToString());
            Assert.That(string.Join('\n', wrongDb.Stderr), Does.Contain("the database 'zero' is not a number"));
            Assert.That(help.ExitCode, Is.Zero, help.ToString());
            Assert.That(string.Join('\n', help.Stdout), Does.Contain("example:"));
        });
    }

    private static void SkipUnlessRqIsInstalled()
    {
        RedisServer.SkipUnlessAvailable();
        PythonPackages.SkipUnless("rq");
    }

    private static Dictionary<string, string?> Env(RedisServer redis) => new() { ["RQ_REDIS_URL"] = redis.Url + "/0" };

    private static Task<IReadOnlyList<string>> StartedJobsAsync(RedisServer redis, CancellationToken cancellationToken) =>
        Examples.RedisAsync(redis, cancellationToken, "ZRANGE", "rq:wip:default", "0", "-1");

    /// <summary>
    /// An <c>rq worker -n <paramref name="node"/></c> on queue default (the example's jobs importable); waits until it
    /// registered, or with <paramref name="expectStart"/> false until it exited.
    /// </summary>
    private static async Task<LauncherProcess> StartWorkerAsync(
        Sandbox sandbox, string app, RedisServer redis, string node, CancellationToken cancellationToken, bool expectStart = true)
    {
        var worker = LauncherProcess.StartProgram(
            sandbox, PythonPackages.Python, ["-m", "rq.cli", "worker", "-n", node, "--worker-ttl", "30", "default"], app, Env(redis));
        try
        {
            if (expectStart)
                await worker.WaitForLineAsync($"Worker rq:worker:{node}: started", Deadline, cancellationToken);
            else
                _ = await worker.WaitForExitAsync(Deadline, cancellationToken);
            return worker;
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }
}
