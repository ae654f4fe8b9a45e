using System.Diagnostics;
using System.Text.Json.Nodes;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 5, RQ: <c>examples/rq</c> (jobs, ping_worker.py, recover_jobs.py and its launcher.json) under the launcher,
/// against a real redis-server and Debian's python3-rq. Left to itself RQ refuses a restarted worker under a dead
/// one's name for minutes and leaves a dead worker's job "started"; with the launcher neither happens.
/// </summary>
[TestFixture]
public sealed class RqTests
{
    private const string Example = "rq";
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>The goal is 5 s; the deadline leaves a margin for a loaded machine, and the time is printed.</summary>
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromSeconds(15);

    [Test, CancelAfter(120_000)]
    public async Task A_SIGKILLed_RQ_worker_is_replaced_under_a_new_name_that_registers_without_the_active_worker_error(CancellationToken cancellationToken)
    {
        // Arrange
        SkipUnlessRqIsInstalled();
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        var app = Examples.CopyInto(sandbox, Example);
        var config = Examples.WriteConfig(sandbox, Example, app, Environment(redis), OneWorker);
        await using var run = await LauncherRun.StartAsync(sandbox, args: ["--config", config], cancellationToken: cancellationToken);
        var launcher = run.Process;
        var (first, firstPid) = (run.Workers.Single().Node, run.Workers.Single().Pid);
        Assert.That(await Examples.RedisAsync(redis, cancellationToken, "SMEMBERS", "rq:workers"), Is.EqualTo(new[] { $"rq:worker:{first}" }));

        // Act
        Assert.That(ProcessProbe.Signal(firstPid, Signals.SIGKILL), Is.True);

        // Assert: a new process, a new name, registered in rq:workers; the dead name's registration removed by the hook.
        var secondPid = 0;
        await Eventually.TrueAsync(() => (secondPid = Examples.StartedPids(launcher).LastOrDefault(pid => pid != firstPid)) != 0,
            Deadline, "the launcher starts a replacement", cancellationToken);
        sandbox.Processes.Track(secondPid);
        var second = SelfIdentity.NodeName(secondPid);
        await Eventually.TrueAsync(
            async () => (await Examples.RedisAsync(redis, cancellationToken, "SMEMBERS", "rq:workers")).SequenceEqual([$"rq:worker:{second}"]),
            Deadline, $"rq:workers holds exactly the replacement rq:worker:{second}", cancellationToken);
        var ping = await LauncherCli.RunAsync(sandbox, ["ping", "--config", config], cancellationToken: cancellationToken);
        var logPath = Path.Combine(app, "logs", $"worker_{secondPid}.log");
        var log = "";
        await Eventually.TrueAsync(() => (log = ReadShared(logPath)).Contains($"Worker rq:worker:{second}: started", StringComparison.Ordinal),
            Deadline, $"the replacement's log {logPath} shows it started", cancellationToken);
        var firstRegistered = await Examples.RedisAsync(redis, cancellationToken, "EXISTS", $"rq:worker:{first}");
        Assert.Multiple(() =>
        {
            Assert.That(second, Is.Not.EqualTo(first));
            Assert.That(ProcessProbe.IsAlive(secondPid), Is.True, "the replacement keeps running");
            Assert.That(log, Does.Not.Contain("There exists an active worker named"));
            Assert.That(firstRegistered, Is.EqualTo(new[] { "0" }),
                "the dead worker's registration is gone at once, not after its 7-minute TTL");
            Assert.That(ping.ExitCode, Is.Zero, $"launcher ping (ping_worker.py) finds the replacement alive: {ping.Stdout} {ping.Stderr}");
            Assert.That(ping.Stdout, Does.Contain($"{second}#{secondPid}: pong"));
        });

        await StopAsync(sandbox, redis, run, cancellationToken);
    }

    [Test, CancelAfter(120_000)]
    public async Task A_job_running_when_its_RQ_worker_is_SIGKILLed_leaves_StartedJobRegistry_within_5_s(CancellationToken cancellationToken)
    {
        // Arrange: a 30 s job, running in the worker's work horse (a forked child that setsid()s away).
        SkipUnlessRqIsInstalled();
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        var app = Examples.CopyInto(sandbox, Example);
        var config = Examples.WriteConfig(sandbox, Example, app, Environment(redis), OneWorker);
        await using var run = await LauncherRun.StartAsync(sandbox, args: ["--config", config], cancellationToken: cancellationToken);
        var launcher = run.Process;
        var (node, pid) = (run.Workers.Single().Node, run.Workers.Single().Pid);

        var (exitCode, stdout, output) = await Examples.RunAsync(
            sandbox, PythonPackages.Python, ["enqueue.py", "sleep_for", "30"], app, Environment(redis), cancellationToken);
        Assert.That(exitCode, Is.Zero, output);
        var job = stdout.Trim();
        await Eventually.TrueAsync(async () => (await StartedJobsAsync(redis, cancellationToken)).Contains(job),
            Deadline, $"job {job} is in StartedJobRegistry", cancellationToken);
        var horses = ProcessProbe.DescendantsOf(pid);
        foreach (var horse in horses)
            sandbox.Processes.Track(horse);
        Assert.That(await Examples.RedisAsync(redis, cancellationToken, "HGET", $"rq:worker:{node}", "current_job"), Is.EqualTo(new[] { job }));

        // Act
        var clock = Stopwatch.StartNew();
        Assert.That(ProcessProbe.Signal(pid, Signals.SIGKILL), Is.True);
        await Eventually.TrueAsync(async () => !(await StartedJobsAsync(redis, cancellationToken)).Contains(job),
            RecoveryDeadline, $"job {job} leaves StartedJobRegistry", cancellationToken);
        var recovery = clock.Elapsed;
        TestContext.Progress.WriteLine($"RQ job recovery: {recovery.TotalMilliseconds:F0} ms from SIGKILL to leaving StartedJobRegistry (goal 5 s)");

        // Assert: failed with a reason (not left running in an orphaned work horse), by the hook.
        var status = await Examples.RedisAsync(redis, cancellationToken, "HGET", $"rq:job:{job}", "status");
        var failed = await Examples.RedisAsync(redis, cancellationToken, "ZRANGE", "rq:failed:default", "0", "-1");
        var hookLine = await launcher.WaitForLineAsync($"job {job} failed", Deadline, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(horses, Is.Not.Empty, "the job ran in a work horse");
            Assert.That(horses.Where(ProcessProbe.IsAlive), Is.Empty, "the dead worker's work horse was killed, so the job cannot finish twice");
            Assert.That(status, Is.EqualTo(new[] { "failed" }));
            Assert.That(failed, Does.Contain(job), "in FailedJobRegistry");
            Assert.That(hookLine, Does.Contain($"worker {node} died while running this job").And.Contain("killed by signal 9"));
        });

        await StopAsync(sandbox, redis, run, cancellationToken);
    }

    private static void SkipUnlessRqIsInstalled()
    {
        RedisServer.SkipUnlessAvailable();
        PythonPackages.SkipUnless("rq");
    }

    private static Dictionary<string, string?> Environment(RedisServer redis) => new() { ["RQ_REDIS_URL"] = redis.Url + "/0" };

    private static void OneWorker(JsonObject config) => config["workers"] = 1;

    private static string ReadShared(string path)
    {
        if (!File.Exists(path))
            return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static Task<IReadOnlyList<string>> StartedJobsAsync(RedisServer redis, CancellationToken cancellationToken) =>
        Examples.RedisAsync(redis, cancellationToken, "ZRANGE", "rq:wip:default", "0", "-1");

    private static async Task StopAsync(Sandbox sandbox, RedisServer redis, LauncherRun launcher, CancellationToken cancellationToken)
    {
        Assert.That(await launcher.StopAsync(cancellationToken), Is.Zero, launcher.Output);
        Assert.That(sandbox.Survivors().Where(pid => pid != redis.Pid), Is.Empty, "nothing but the test's redis-server is left");
    }
}
