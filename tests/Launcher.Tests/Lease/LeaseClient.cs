using Launcher.Guard.Lease;
using StackExchange.Redis;

namespace Launcher.Tests.Lease;

/// <summary>One in-process lease party ("a host") for the lease's own tests: connect, acquire, hold.</summary>
internal sealed class LeaseClient(string url, string instance, string host, TimeSpan ttl)
{
    public ListLogger Logger { get; } = new();

    public LeaseTiming Timing { get; } = new(ttl);

    public RedisTarget Target { get; } = RedisTarget.Parse(url, "coordination.url", null);

    public async Task<RedisLease> AcquireAsync(bool standby, CancellationToken cancellationToken)
    {
        var redis = await RedisConnection.ConnectAsync(Target, Timing, instance, cancellationToken);
        try
        {
            var keys = new LeaseKeys(instance);
            var self = new LeaseParty(host, Environment.ProcessId, DateTimeOffset.UtcNow, Guid.NewGuid().ToString("N"));
            var acquired = await new LeaseAcquirer(redis, Target, keys, Timing, Logger, TimeProvider.System).AcquireAsync(self, standby, cancellationToken);
            return new RedisLease(redis, keys, Timing, acquired.Value, acquired.Holder, acquired.SentAtTimestamp, Logger, TimeProvider.System);
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    public static async Task<IConnectionMultiplexer> ConnectAsync(string url) => await ConnectionMultiplexer.ConnectAsync(RedisTarget.Parse(url, "url", null).ToOptions(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), "test"));
}
