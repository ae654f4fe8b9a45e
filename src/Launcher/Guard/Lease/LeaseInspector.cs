using System.Text.Json;
using StackExchange.Redis;

namespace Launcher.Guard.Lease;

/// <summary>Reads the lease and the standbys for <c>launcher status</c>; an unreachable Redis is reported, not thrown.</summary>
internal static class LeaseInspector
{
    public static async Task<LeaseSnapshot> ReadAsync(CoordinationSpec coordination, string instance, CancellationToken cancellationToken)
    {
        var target = coordination.Redis ?? throw new InvalidOperationException("coordination.kind redis without a target");
        var timing = new LeaseTiming(coordination.Ttl);
        var keys = new LeaseKeys(instance);
        try
        {
            await using var redis = await RedisConnection.ConnectAsync(target, timing, instance, cancellationToken);
            var reply = (RedisResult[])(await redis.GetDatabase()
                .ScriptEvaluateAsync(LeaseScripts.Inspect, [keys.Lease, keys.Standbys], [(long)timing.StandbyWindow.TotalMilliseconds])
                .WaitAsync(timing.CommandTimeout * 2, cancellationToken))!;
            var value = reply[0].IsNull ? null : (string?)reply[0];
            var remaining = Math.Max(0, (long)reply[1]) / 1000.0;
            var now = (long)reply[3];
            var members = (RedisResult[])reply[2]!;
            var standbys = new List<LeaseStandbyEntry>();
            for (var i = 0; i + 1 < members.Length; i += 2)
            {
                var party = TryParseParty((string?)members[i]);
                if (party is not null)
                    standbys.Add(new LeaseStandbyEntry(party.Host, party.Pid, party.Since, Math.Max(0, now - (long)(double)members[i + 1]) / 1000.0));
            }

            var holder = LeaseHolder.TryParse(value);
            return new LeaseSnapshot(
                target.Display,
                true,
                null,
                holder is null ? null : new LeaseHolderEntry(holder.Party.Host, holder.Party.Pid, holder.Party.Since, holder.Fence, remaining),
                value == LeaseHolder.Quarantine ? remaining : null,
                standbys);
        }
        catch (Launcher.Exceptions.ConfigException ex)
        {
            return new LeaseSnapshot(target.Display, false, ex.Message, null, null, []);
        }
        catch (Launcher.Exceptions.LauncherException)
        {
            return new LeaseSnapshot(target.Display, false, $"Redis at {target.Display} is unreachable", null, null, []);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new LeaseSnapshot(target.Display, false, $"Redis at {target.Display} did not answer ({RedisConnection.Reason(ex)})", null, null, []);
        }
    }

    private static LeaseParty? TryParseParty(string? json)
    {
        if (json is null)
            return null;
        try
        {
            return JsonSerializer.Deserialize(json, LeaseJson.Default.LeaseParty);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
