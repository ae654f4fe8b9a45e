using System.Diagnostics;
using Launcher.Exceptions;
using Launcher.Guard.Lease;
using Launcher.Tests.Support;
using NUnit.Framework;
using StackExchange.Redis;

namespace Launcher.Tests.Lease;

/// <summary>The Redis lease itself, in this process, against a real redis-server (each test its own) and a TCP proxy.</summary>
[TestFixture]
[NonParallelizable]
public sealed class RedisLeaseTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);

    // Event ids from Logging/Log.Lease.cs.
    private const int StandingBy = 451;
    private const int Quarantined = 452;
    private const int RedisLostWhileStandingBy = 453;
    private const int RedisBackWhileStandingBy = 454;

    [Test]
    [CancelAfter(60_000)]
    public async Task A_second_launcher_is_refused_naming_the_holders_host_pid_and_since(CancellationToken cancellationToken)
    {
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        await SeedAsync(redis.Url, sandbox.Instance);

        await using var holder = await new LeaseClient(redis.Url, sandbox.Instance, "host-a", Ttl).AcquireAsync(standby: false, cancellationToken);
        var refused = Assert.ThrowsAsync<LeaseUnavailableException>(async () => await new LeaseClient(redis.Url, sandbox.Instance, "host-b", Ttl).AcquireAsync(standby: false, cancellationToken));

        Assert.That(refused!.ExitCode, Is.EqualTo(3));
        Assert.That(refused.Message, Does.Contain("host host-a").And.Contain($"pid {Environment.ProcessId}").And.Contain("since ").And.Contain($"fence {holder.Holder.Fence}"));
        Assert.That(holder.State, Is.EqualTo(LeaseState.Holding), "the refused launcher must not disturb the holder");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task A_standby_takes_over_at_once_when_the_holder_releases_and_the_fence_grows(CancellationToken cancellationToken)
    {
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        await SeedAsync(redis.Url, sandbox.Instance);
        var longTtl = TimeSpan.FromSeconds(30); // a takeover that waited for expiry would blow the test's budget

        var first = await new LeaseClient(redis.Url, sandbox.Instance, "host-a", longTtl).AcquireAsync(standby: false, cancellationToken);
        var standbyClient = new LeaseClient(redis.Url, sandbox.Instance, "host-b", longTtl);
        var second = standbyClient.AcquireAsync(standby: true, cancellationToken);
        await Eventually.TrueAsync(() => standbyClient.Logger.Count(StandingBy) == 1, TimeSpan.FromSeconds(10), "host-b says it stands by", cancellationToken);

        var released = Stopwatch.StartNew();
        await first.DisposeAsync();
        await using var taken = await second.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);

        Assert.That(released.Elapsed, Is.LessThan(longTtl / 3), "the standby must not wait for the TTL after a release");
        Assert.That(taken.Holder.Fence, Is.GreaterThan(first.Holder.Fence));
        Assert.That(taken.Holder.Party.Host, Is.EqualTo("host-b"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task A_holder_whose_connection_stalls_stops_before_its_lease_can_end_and_a_standby_takes_over_after(CancellationToken cancellationToken)
    {
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        await SeedAsync(redis.Url, sandbox.Instance);
        await using var proxy = new StallProxy(redis.Port);
        var ttl = TimeSpan.FromSeconds(3);

        await using var holder = await new LeaseClient(proxy.Url, sandbox.Instance, "host-a", ttl).AcquireAsync(standby: false, cancellationToken);
        var standby = new LeaseClient(redis.Url, sandbox.Instance, "host-b", ttl).AcquireAsync(standby: true, cancellationToken);
        await Task.Delay(ttl, cancellationToken); // a few renewals go through first

        var stalled = Stopwatch.StartNew();
        proxy.Stall();
        var stopAt = await ElapsedWhenAsync(stalled, holder.StopRequested, cancellationToken);
        var goneAt = await ElapsedWhenAsync(stalled, holder.MustBeGone, cancellationToken);
        await using var taken = await standby.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
        var takenAt = stalled.Elapsed;

        Assert.Multiple(() =>
        {
            Assert.That(holder.State, Is.EqualTo(LeaseState.Lost));
            Assert.That(stopAt, Is.LessThan(goneAt + TimeSpan.FromMilliseconds(1)));
            Assert.That(goneAt, Is.LessThan(ttl), "everything of the old holder must be gone before its lease can end");
            Assert.That(takenAt, Is.GreaterThan(goneAt), "the standby takes over only after the old holder is gone");
            Assert.That(taken.Holder.Fence, Is.GreaterThan(holder.Holder.Fence));
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task A_fresh_Redis_keeps_the_lease_free_for_one_TTL_in_case_a_holder_from_before_still_runs(CancellationToken cancellationToken)
    {
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        var client = new LeaseClient(redis.Url, sandbox.Instance, "host-a", Ttl);

        var clock = Stopwatch.StartNew();
        await using var lease = await client.AcquireAsync(standby: false, cancellationToken);

        Assert.That(clock.Elapsed, Is.GreaterThan(Ttl - TimeSpan.FromMilliseconds(200)));
        Assert.That(client.Logger.Count(Quarantined), Is.EqualTo(1), client.Logger.Text);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Redis_restarted_under_a_holder_stops_it_and_one_standby_takes_over_with_a_higher_fence(CancellationToken cancellationToken)
    {
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        await SeedAsync(redis.Url, sandbox.Instance, fence: 41);
        await using var holder = await new LeaseClient(redis.Url, sandbox.Instance, "host-a", Ttl).AcquireAsync(standby: false, cancellationToken);
        var standbyB = new LeaseClient(redis.Url, sandbox.Instance, "host-b", Ttl);
        var standbyC = new LeaseClient(redis.Url, sandbox.Instance, "host-c", Ttl);
        var b = standbyB.AcquireAsync(standby: true, cancellationToken);
        var c = standbyC.AcquireAsync(standby: true, cancellationToken);
        await Eventually.TrueAsync(() => standbyB.Logger.Count(StandingBy) + standbyC.Logger.Count(StandingBy) == 2, TimeSpan.FromSeconds(10), "both stand by", cancellationToken);

        await redis.KillAsync();
        await redis.StartAgainAsync(cancellationToken);
        await ElapsedWhenAsync(Stopwatch.StartNew(), holder.MustBeGone, cancellationToken);
        var winner = await Task.WhenAny(b, c).WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
        await using var lease = await winner;
        await Task.Delay(Ttl * 2, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(holder.State, Is.EqualTo(LeaseState.Lost));
            Assert.That(lease.Holder.Fence, Is.GreaterThan(holder.Holder.Fence), "the fence must grow across a Redis that lost its data");
            Assert.That(lease.State, Is.EqualTo(LeaseState.Holding));
            Assert.That(new[] { b, c }.Count(t => t.IsCompleted), Is.EqualTo(1), "exactly one holder afterwards");
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Redis_lost_while_standing_by_is_said_once_and_waited_out(CancellationToken cancellationToken)
    {
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        await SeedAsync(redis.Url, sandbox.Instance);
        await using var proxy = new StallProxy(redis.Port);
        var holder = await new LeaseClient(redis.Url, sandbox.Instance, "host-a", Ttl).AcquireAsync(standby: false, cancellationToken);
        var standbyClient = new LeaseClient(proxy.Url, sandbox.Instance, "host-b", Ttl);
        var standby = standbyClient.AcquireAsync(standby: true, cancellationToken);
        await Eventually.TrueAsync(() => standbyClient.Logger.Count(StandingBy) == 1, TimeSpan.FromSeconds(10), "host-b stands by", cancellationToken);

        proxy.Drop();
        await Eventually.TrueAsync(() => standbyClient.Logger.Count(RedisLostWhileStandingBy) == 1, TimeSpan.FromSeconds(10), "host-b says Redis is gone", cancellationToken);
        await Task.Delay(Ttl, cancellationToken); // many polls fail meanwhile
        proxy.Resume();
        await Eventually.TrueAsync(() => standbyClient.Logger.Count(RedisBackWhileStandingBy) == 1, TimeSpan.FromSeconds(20), "host-b says Redis is back", cancellationToken);
        Assert.That(standby.IsCompleted, Is.False, "a standby without Redis must keep waiting, not give up or take the lease");
        await holder.DisposeAsync();
        await using var taken = await standby.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);

        Assert.That(standbyClient.Logger.Count(RedisLostWhileStandingBy), Is.EqualTo(1), standbyClient.Logger.Text);
        Assert.That(taken.Holder.Party.Host, Is.EqualTo("host-b"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task A_wrong_or_missing_password_is_a_config_error_that_never_shows_the_password(CancellationToken cancellationToken)
    {
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, "s3cret-right", cancellationToken);

        var wrong = Assert.ThrowsAsync<ConfigException>(async () =>
            await new LeaseClient($"redis://:s3cret-wrong@127.0.0.1:{redis.Port}", sandbox.Instance, "h", Ttl).AcquireAsync(false, cancellationToken));
        var missing = Assert.ThrowsAsync<ConfigException>(async () =>
            await new LeaseClient($"redis://127.0.0.1:{redis.Port}", sandbox.Instance, "h", Ttl).AcquireAsync(false, cancellationToken));

        Assert.That(wrong!.ExitCode, Is.EqualTo(2));
        Assert.That(wrong.Message, Does.Contain("coordination.url").And.Contain("refused the credentials").And.Not.Contain("s3cret"));
        Assert.That(missing!.Message, Does.Contain(LeaseEnvironment.RedisPassword).And.Not.Contain("s3cret"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task An_unreachable_Redis_at_start_is_exit_3_in_one_line(CancellationToken cancellationToken)
    {
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        await redis.KillAsync(); // a port where nothing listens now

        var clock = Stopwatch.StartNew();
        var refused = Assert.ThrowsAsync<LeaseUnavailableException>(async () =>
            await new LeaseClient($"redis://:pw-never-shown@127.0.0.1:{redis.Port}", sandbox.Instance, "h", Ttl).AcquireAsync(true, cancellationToken));

        Assert.That(refused!.ExitCode, Is.EqualTo(3));
        Assert.That(refused.Message, Does.Contain("unreachable").And.Contain($"127.0.0.1:{redis.Port}").And.Not.Contain("pw-never-shown").And.Not.Contain("\n"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)));
    }

    /// <summary>Creates the fence counter, as a Redis that has served this instance before has it (no quarantine).</summary>
    private static async Task SeedAsync(string url, string instance, long fence = 0)
    {
        await using var redis = await LeaseClient.ConnectAsync(url);
        await redis.GetDatabase().StringSetAsync(new LeaseKeys(instance).Fence, fence);
    }

    private static async Task<TimeSpan> ElapsedWhenAsync(Stopwatch clock, CancellationToken fired, CancellationToken cancellationToken)
    {
        var signal = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = fired.Register(() => signal.TrySetResult(clock.Elapsed));
        return await signal.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
    }
}
