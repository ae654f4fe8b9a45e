using System.Diagnostics;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 11, part 3: <c>examples/container</c> (the RQ example with the launcher as PID 1) in a "container" made of
/// kernel namespaces (<see cref="ContainerNamespace"/>: fresh pid + uts namespace, fixed host name), SIGKILLed from
/// outside with a job running, as <c>docker kill</c> or a platform restart does, and started again. The new workers
/// get the same small pids, so the same <c>api&lt;pid&gt;@&lt;host&gt;</c> names as the dead ones still registered in
/// Redis: the census finds those registrations at start and <c>integrations/rq/lost.py</c> clears them first.
/// </summary>
[TestFixture]
public sealed class ContainerTests
{
    private const string HostName = "render-abc";
    private static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(240);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>The goal is "within seconds of the new start"; the deadline leaves a margin for a loaded machine, and the time is printed.</summary>
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromSeconds(120);

    [Test, CancelAfter(600_000)]
    public async Task A_SIGKILLed_container_started_again_has_no_name_collision_exactly_the_live_workers_in_rq_workers_and_its_dead_job_recovered(CancellationToken cancellationToken)
    {
        // Arrange: the first container, ready, with a long job running in one of its workers.
        RedisServer.SkipUnlessAvailable();
        PythonPackages.SkipUnless("rq");
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        var rq = Examples.CopyInto(sandbox, "rq");
        var container = Examples.CopyInto(sandbox, "container");
        // As shipped, but with deadlines for a loaded CI machine: there a Python ping or hook takes seconds to start.
        var config = Examples.WriteConfig(sandbox, "container", container, adjust: c =>
        {
            c["startTimeoutSeconds"] = 180;
            c["ping"]!["timeoutSeconds"] = 30;
        });
        var environment = new Dictionary<string, string?> { ["RQ_REDIS_URL"] = redis.Url + "/0", ["PYTHONDONTWRITEBYTECODE"] = "1" };

        string job, runningOn;
        await using (var first = await StartContainerAsync(sandbox, config, container, environment, cancellationToken))
        {
            var ready = await first.Process.WaitForLineAsync(ReadyLine.Is, ReadyDeadline, cancellationToken, "the first container's ready line");
            Assert.That(ReadyLine.Nodes(ready), Has.All.EndWith($"@{HostName}"), ready);
            var (exitCode, stdout, output) = await Examples.RunAsync(sandbox, PythonPackages.Python, ["enqueue.py", "sleep_for", "600"], rq, environment, cancellationToken);
            Assert.That(exitCode, Is.Zero, output);
            job = stdout.Trim();
            await Eventually.TrueAsync(async () => (await StartedJobsAsync(redis, cancellationToken)).Contains(job),
                Deadline, $"job {job} is in StartedJobRegistry", cancellationToken);
            runningOn = (await Examples.RedisAsync(redis, cancellationToken, "HGET", $"rq:job:{job}", "worker_name")).Single();

            // Act 1: docker kill.
            await first.KillAsync(cancellationToken);
        }

        Assert.That(await RegisteredAsync(redis, cancellationToken), Does.Contain($"rq:worker:{runningOn}"),
            "the dead container's registrations outlive it (RQ alone keeps them for its TTL)");

        // Act 2: the same container started again.
        var clock = Stopwatch.StartNew();
        await using var second = await StartContainerAsync(sandbox, config, container, environment, cancellationToken);
        var readyAgain = await second.Process.WaitForLineAsync(ReadyLine.Is, ReadyDeadline, cancellationToken, "the second container's ready line");
        var toReady = clock.Elapsed;
        var registeredAtReady = await RegisteredAsync(redis, cancellationToken);
        await Eventually.TrueAsync(async () => !(await StartedJobsAsync(redis, cancellationToken)).Contains(job),
            RecoveryDeadline, $"job {job} of the dead container leaves StartedJobRegistry", cancellationToken);
        var recovered = clock.Elapsed;
        TestContext.Progress.WriteLine(
            $"container restart: ready after {toReady.TotalMilliseconds:F0} ms, dead job {job} out of StartedJobRegistry after {recovered.TotalMilliseconds:F0} ms");

        // Assert
        var live = ReadyLine.Nodes(readyAgain);
        var logs = Directory.EnumerateFiles(Path.Combine(container, "logs"), "worker_*.log").ToList();
        var collisions = logs.Where(log => ReadShared(log).Contains("There exists an active worker named", StringComparison.Ordinal)).ToList();
        var status = await Examples.RedisAsync(redis, cancellationToken, "HGET", $"rq:job:{job}", "status");
        Assert.Multiple(() =>
        {
            Assert.That(ReadyLine.Counts(readyAgain), Is.EqualTo((2, 2)), readyAgain);
            Assert.That(registeredAtReady, Is.EquivalentTo(live.Select(node => $"rq:worker:{node}")),
                "rq:workers right after ready: exactly the live workers, none of the dead container's");
            Assert.That(logs, Is.Not.Empty);
            Assert.That(collisions, Is.Empty, "no worker log has RQ's 'There exists an active worker named' error");
            Assert.That(status, Is.EqualTo(new[] { "failed" }), "the dead job is failed with a reason, not left started");
            Assert.That(second.Process.Output, Does.Contain($"rq lost: {runningOn} (lost").And.Contain($"job {job} failed"));
        });

        // docker stop: SIGTERM to PID 1, a graceful stop, exit 0, nothing left in the namespace.
        _ = ProcessProbe.Signal(second.InitPid, Signals.SIGTERM);
        Assert.That(await second.Process.WaitForExitAsync(Deadline, cancellationToken), Is.Zero, second.Process.Output);
        Assert.That(second.Members(), Is.Empty);
    }

    private static Task<ContainerNamespace> StartContainerAsync(
        Sandbox sandbox, string config, string directory, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken) =>
        ContainerNamespace.StartAsync(sandbox, HostName, Repo.LauncherExe, ["run", "--config", config], directory, environment, cancellationToken);

    private static Task<IReadOnlyList<string>> StartedJobsAsync(RedisServer redis, CancellationToken cancellationToken) =>
        Examples.RedisAsync(redis, cancellationToken, "ZRANGE", "rq:wip:default", "0", "-1");

    private static Task<IReadOnlyList<string>> RegisteredAsync(RedisServer redis, CancellationToken cancellationToken) =>
        Examples.RedisAsync(redis, cancellationToken, "SMEMBERS", "rq:workers");

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
