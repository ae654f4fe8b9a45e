using System.Text.Json;
using Launcher.Exceptions;
using Launcher.Logging;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Launcher.Guard.Lease;

/// <summary>
/// Takes the lease, or stands by until it can. Without standby a lease held by another launcher is exit 3 naming
/// it; with standby the launcher polls every <see cref="LeaseTiming.PollEvery"/> and wakes at once on a release.
/// Redis lost while standing by is said once and waited out.
/// </summary>
internal sealed class LeaseAcquirer(IConnectionMultiplexer redis, RedisTarget target, LeaseKeys keys, LeaseTiming timing, ILogger logger, TimeProvider time)
{
    private long _highestFenceSeen;

    /// <summary>The lease value we wrote and the timestamp taken just before the winning request was sent.</summary>
    public readonly record struct Acquisition(string Value, LeaseHolder Holder, long SentAtTimestamp);

    public async Task<Acquisition> AcquireAsync(LeaseParty self, bool standby, CancellationToken cancellationToken)
    {
        var candidate = JsonSerializer.Serialize(self, LeaseJson.Default.LeaseParty);
        using var released = new SemaphoreSlim(0);
        var subscriber = redis.GetSubscriber();
        await subscriber.SubscribeAsync(keys.Released, (_, _) => released.Release()).WaitAsync(timing.CommandTimeout, cancellationToken);
        try
        {
            return await LoopAsync(candidate, standby, released, cancellationToken);
        }
        finally
        {
            try
            {
                await subscriber.UnsubscribeAsync(keys.Released).WaitAsync(timing.CommandTimeout, CancellationToken.None);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // The subscription dies with the connection anyway.
            }
        }
    }

    private async Task<Acquisition> LoopAsync(string candidate, bool standby, SemaphoreSlim released, CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        string? shownHolder = null;
        var redisDown = false;
        var quarantineShown = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sentAt = time.GetTimestamp();
            RedisResult[] reply;
            try
            {
                reply = (RedisResult[])(await database.ScriptEvaluateAsync(
                    LeaseScripts.Acquire,
                    [keys.Lease, keys.Fence, keys.Standbys],
                    [candidate, Milliseconds(timing.Ttl), _highestFenceSeen, Milliseconds(timing.StandbyWindow), standby ? 1 : 0])
                    .WaitAsync(timing.CommandTimeout, time, cancellationToken))!;
            }
            catch (Exception ex) when (RedisConnection.IsAuthenticationFailure(ex))
            {
                throw new ConfigException(RedisConnection.UrlKey, $"Redis at {target.Display} refused the credentials ({RedisConnection.Reason(ex)})", ex);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                if (!standby)
                    throw LeaseUnavailableException.Unreachable(keys.Instance, target.Display, RedisConnection.Reason(ex));
                if (!redisDown)
                    Log.LeaseRedisLostWhileStandingBy(logger, target.Display, RedisConnection.Reason(ex), timing.PollEvery.TotalSeconds);
                redisDown = true;
                await WaitAsync(released, timing.PollEvery, cancellationToken);
                continue;
            }

            if (redisDown)
                Log.LeaseRedisBackWhileStandingBy(logger, target.Display);
            redisDown = false;

            var value = (string)reply[1]!;
            var holder = LeaseHolder.TryParse(value);
            if (holder is not null && holder.Fence > _highestFenceSeen)
                _highestFenceSeen = holder.Fence;
            if ((long)reply[0] == 1)
                return new Acquisition(value, holder ?? throw new InvalidOperationException("the lease value we wrote cannot be read back"), sentAt);

            var remaining = TimeSpan.FromMilliseconds(Math.Max(0, (long)reply[2]));
            if (value == LeaseHolder.Quarantine)
            {
                // Nobody holds it, so this is no reason to refuse a start: wait the quarantine out, standby or not.
                if (!quarantineShown)
                    Log.LeaseQuarantined(logger, target.Display, keys.Instance, Math.Ceiling(remaining.TotalSeconds));
                quarantineShown = true;
            }
            else if (!standby)
            {
                throw LeaseUnavailableException.HeldElsewhere(keys.Instance, target.Display, holder, remaining);
            }
            else if (value != shownHolder)
            {
                Log.LeaseStandingBy(logger, keys.Instance, holder?.Describe() ?? "a launcher of another version");
                shownHolder = value;
            }

            // Poll, but never sleep past the moment the lease expires; a release wakes us at once.
            var wait = remaining > TimeSpan.Zero && remaining < timing.PollEvery ? remaining + TimeSpan.FromMilliseconds(5) : timing.PollEvery;
            await WaitAsync(released, wait, cancellationToken);
        }
    }

    private static async Task WaitAsync(SemaphoreSlim released, TimeSpan wait, CancellationToken cancellationToken) =>
        _ = await released.WaitAsync(wait, cancellationToken);

    private static long Milliseconds(TimeSpan span) => (long)Math.Ceiling(span.TotalMilliseconds);
}
