using System.Diagnostics;
using System.Text.Json;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests.Lease;

/// <summary>
/// Several hosts, one instance, one Redis: real launchers in their own UTS + pid namespaces (each its own hostname),
/// a real redis-server, and a TCP proxy that cuts one host off. The lease TTL is 2-3 s to keep the tests short.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LeaseFailoverTests
{
    private const double Ttl = 3;

    [Test]
    [CancelAfter(240_000)]
    public async Task Of_three_hosts_exactly_one_runs_workers_sampled_every_50_ms_for_20_s_through_a_kill_and_a_clean_stop(CancellationToken cancellationToken)
    {
        await using var cluster = await LeaseCluster.StartAsync(Ttl, cancellationToken: cancellationToken);
        var (hosts, first) = await cluster.StartContendersAsync(["alpha", "bravo", "charlie"], cancellationToken);

        var sampler = cluster.Sampler();
        using var sampling = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var samples = sampler.RunAsync(TimeSpan.FromMilliseconds(50), sampling.Token);
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        first.KillLauncher();
        var second = await LeaseCluster.FirstReadyAsync(hosts.Where(h => h != first), cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        second.StopLauncher();
        var third = await LeaseCluster.FirstReadyAsync(hosts.Where(h => h != first && h != second), cancellationToken);
        await samples;

        Assert.Multiple(() =>
        {
            Assert.That(sampler.Samples, Is.GreaterThan(100), "the sampler must have run");
            Assert.That(sampler.MostHostsAtOnce, Is.EqualTo(1), "never two hosts with a live worker");
            Assert.That(sampler.HostsNow(), Is.EquivalentTo(new[] { third.Name }));
        });
        Assert.That(await second.Process.WaitForExitAsync(TimeSpan.FromSeconds(20), cancellationToken), Is.EqualTo(0), "a clean stop exits 0");
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task A_second_host_without_standby_exits_3_naming_the_holders_host_pid_and_since_and_starts_nothing(CancellationToken cancellationToken)
    {
        await using var cluster = await LeaseCluster.StartAsync(Ttl, cancellationToken: cancellationToken);
        await cluster.StartHolderAsync("alpha", cancellationToken);

        var bravo = cluster.Start("bravo");
        var exit = await bravo.Process.WaitForExitAsync(LeaseCluster.StartBudget, cancellationToken);

        Assert.That(exit, Is.EqualTo(3), bravo.Process.Output);
        Assert.That(bravo.Process.StderrLines.Single(l => l.Contains("runs on another host", StringComparison.Ordinal)),
            Does.Contain("host alpha").And.Contain("pid ").And.Contain("since "));
        Assert.That(cluster.Sampler().HostsNow(), Is.EquivalentTo(new[] { "alpha" }));
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task After_SIGKILL_of_the_holder_a_standby_verifies_its_worker_within_TTL_plus_its_start_time_with_a_higher_fence(CancellationToken cancellationToken)
    {
        await using var cluster = await LeaseCluster.StartAsync(Ttl, fence: 7, cancellationToken);
        var alpha = await cluster.StartHolderAsync("alpha", cancellationToken);
        var bravo = await cluster.StartStandbyAsync("bravo", cancellationToken);
        var oldFence = LeaseHosts.FenceOfWorkerOn(cluster.Sandbox.Instance, "alpha");

        var killed = Stopwatch.StartNew();
        alpha.KillLauncher();
        await bravo.Process.WaitForLineAsync("Took the lease", LeaseCluster.StartBudget, cancellationToken);
        var leaseTaken = killed.Elapsed;
        await bravo.Process.WaitForLineAsync("ready:", LeaseCluster.StartBudget, cancellationToken);
        var failover = killed.Elapsed;

        Assert.That(oldFence, Is.EqualTo(8));
        Assert.That(LeaseHosts.FenceOfWorkerOn(cluster.Sandbox.Instance, "bravo"), Is.GreaterThan(oldFence));
        // Verified within TTL + its own start time (lease -> ready): the lease part is at most the TTL plus a poll,
        // with slack for a loaded machine.
        Assert.That(leaseTaken, Is.LessThan(TimeSpan.FromSeconds(Ttl) + TimeSpan.FromSeconds(3)), "the standby takes the lease within the TTL");
        TestContext.Progress.WriteLine($"failover after SIGKILL: lease after {leaseTaken.TotalMilliseconds:F0} ms, worker verified after {failover.TotalMilliseconds:F0} ms (TTL {Ttl} s)");
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task A_holder_whose_Redis_connection_stalls_stops_its_workers_before_the_TTL_ends_and_does_not_come_back(CancellationToken cancellationToken)
    {
        await using var cluster = await LeaseCluster.StartAsync(Ttl, cancellationToken: cancellationToken);
        await using var proxy = new StallProxy(cluster.Redis.Port);
        var alpha = await cluster.StartHolderAsync("alpha", cancellationToken, redisUrl: proxy.Url);
        var bravo = await cluster.StartStandbyAsync("bravo", cancellationToken);
        var sampler = cluster.Sampler();
        using var sampling = new CancellationTokenSource();
        var samples = sampler.RunAsync(TimeSpan.FromMilliseconds(50), sampling.Token);

        var stalled = Stopwatch.StartNew();
        proxy.Stall();
        await Eventually.TrueAsync(() => !sampler.HostsNow().Contains("alpha"), TimeSpan.FromSeconds(20), "alpha's worker is gone", cancellationToken);
        var alphaGone = stalled.Elapsed;
        await bravo.Process.WaitForLineAsync("ready:", LeaseCluster.StartBudget, cancellationToken);
        var bravoReady = stalled.Elapsed;
        var alphaExit = await alpha.Process.WaitForExitAsync(TimeSpan.FromSeconds(20), cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(Ttl), cancellationToken); // alpha still cut off: nothing of it may come back
        await sampling.CancelAsync();
        await samples;

        Assert.Multiple(() =>
        {
            Assert.That(alphaGone, Is.LessThan(TimeSpan.FromSeconds(Ttl)), "the old holder's workers are gone before its lease can end");
            Assert.That(bravoReady, Is.GreaterThan(alphaGone));
            Assert.That(alphaExit, Is.EqualTo(3), alpha.Process.Output);
            Assert.That(sampler.MostHostsAtOnce, Is.EqualTo(1), "never two hosts with a live worker");
            Assert.That(sampler.HostsNow(), Is.EquivalentTo(new[] { "bravo" }));
        });
        TestContext.Progress.WriteLine($"stall: alpha's worker gone after {alphaGone.TotalMilliseconds:F0} ms, bravo ready after {bravoReady.TotalMilliseconds:F0} ms (TTL {Ttl} s)");
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task A_clean_stop_of_the_holder_hands_over_without_waiting_for_the_TTL(CancellationToken cancellationToken)
    {
        const double longTtl = 30;
        await using var cluster = await LeaseCluster.StartAsync(longTtl, cancellationToken: cancellationToken);
        var alpha = await cluster.StartHolderAsync("alpha", cancellationToken);
        var bravo = await cluster.StartStandbyAsync("bravo", cancellationToken);

        var stopped = Stopwatch.StartNew();
        alpha.StopLauncher();
        await bravo.Process.WaitForLineAsync("ready:", TimeSpan.FromSeconds(longTtl / 2), cancellationToken);

        Assert.That(await alpha.Process.WaitForExitAsync(TimeSpan.FromSeconds(20), cancellationToken), Is.EqualTo(0));
        Assert.That(stopped.Elapsed, Is.LessThan(TimeSpan.FromSeconds(longTtl / 2)));
        Assert.That(cluster.Sampler().HostsNow(), Is.EquivalentTo(new[] { "bravo" }));
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task After_a_Redis_restart_exactly_one_host_holds_the_instance(CancellationToken cancellationToken)
    {
        await using var cluster = await LeaseCluster.StartAsync(Ttl, cancellationToken: cancellationToken);
        var (hosts, first) = await cluster.StartContendersAsync(["alpha", "bravo", "charlie"], cancellationToken);
        var sampler = cluster.Sampler();
        using var sampling = new CancellationTokenSource();
        var samples = sampler.RunAsync(TimeSpan.FromMilliseconds(50), sampling.Token);

        await cluster.Redis.KillAsync();
        await cluster.Redis.StartAgainAsync(cancellationToken);
        await first.Process.WaitForExitAsync(TimeSpan.FromSeconds(20), cancellationToken);
        var next = await LeaseCluster.FirstReadyAsync(hosts.Where(h => h != first), cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(Ttl * 2), cancellationToken);
        await sampling.CancelAsync();
        await samples;

        Assert.Multiple(() =>
        {
            Assert.That(first.Process.ExitCode, Is.EqualTo(3), "the holder whose lease vanished stops (fail closed)");
            Assert.That(sampler.MostHostsAtOnce, Is.EqualTo(1), "never two hosts with a live worker");
            Assert.That(sampler.HostsNow(), Is.EquivalentTo(new[] { next.Name }), "exactly one holder afterwards");
        });
    }

    [Test]
    [CancelAfter(240_000)]
    public async Task Status_shows_the_holder_with_its_fence_and_the_standbys_seen(CancellationToken cancellationToken)
    {
        await using var cluster = await LeaseCluster.StartAsync(Ttl, fence: 20, cancellationToken);
        await cluster.StartHolderAsync("alpha", cancellationToken);
        await cluster.StartStandbyAsync("bravo", cancellationToken);

        await using var status = LauncherProcess.Start(cluster.Sandbox, ["status", "--json", "--config", cluster.ConfigOf("alpha")]);
        Assert.That(await status.WaitForExitAsync(TimeSpan.FromSeconds(30), cancellationToken), Is.EqualTo(0), status.Output);
        using var json = JsonDocument.Parse(string.Join('\n', status.StdoutLines));
        var coordination = json.RootElement.GetProperty("coordination");

        Assert.That(coordination.GetProperty("holder").GetProperty("host").GetString(), Is.EqualTo("alpha"));
        Assert.That(coordination.GetProperty("holder").GetProperty("fence").GetInt64(), Is.EqualTo(21));
        Assert.That(coordination.GetProperty("standbys").EnumerateArray().Select(s => s.GetProperty("host").GetString()), Is.EquivalentTo(new[] { "bravo" }));
    }
}
