namespace Launcher.Guard.Lease;

/// <summary>
/// The lease's Lua scripts: each runs atomically in Redis (EVAL), so "read, compare, write" cannot be split by
/// another client. This is the single-instance lock of the Redis docs (SET NX PX + compare-and-set renew/release),
/// not Redlock. Times come from Redis' own clock (<c>TIME</c>), never from the hosts', which may disagree.
/// </summary>
internal static class LeaseScripts
{
    /// <summary>
    /// KEYS: lease, fence, standbys. ARGV: candidate json, ttl ms, fence floor, standby window ms, 1 = list the
    /// caller as a standby while it waits.
    /// Returns {1, value, ttl} when acquired, {0, value, pttl} when somebody holds it (the caller is then listed
    /// as a standby). A missing fence counter means Redis lost its data (a restart without persistence, a flush):
    /// a holder from before may still run until its lease would have ended, so the lease is quarantined for one
    /// TTL and the counter restarts above the highest fence the caller has seen.
    /// </summary>
    public const string Acquire = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local current = redis.call('GET', KEYS[1])
        if not current and redis.call('EXISTS', KEYS[2]) == 0 then
          redis.call('SET', KEYS[2], ARGV[3])
          current = 'quarantine'
          redis.call('SET', KEYS[1], current, 'PX', ARGV[2])
        end
        if current then
          if ARGV[5] == '1' then
            redis.call('ZADD', KEYS[3], now, ARGV[1])
          end
          redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[4]))
          return {0, current, redis.call('PTTL', KEYS[1])}
        end
        local fence = redis.call('INCR', KEYS[2])
        local floor = tonumber(ARGV[3])
        if fence <= floor then
          fence = floor + 1
          redis.call('SET', KEYS[2], fence)
        end
        local value = fence .. '\n' .. ARGV[1]
        redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
        redis.call('ZREM', KEYS[3], ARGV[1])
        return {1, value, tonumber(ARGV[2])}
        """;

    /// <summary>KEYS: lease. ARGV: our value, ttl ms. 1 = renewed, 0 = not ours any more (expired or taken).</summary>
    public const string Renew = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        return 0
        """;

    /// <summary>KEYS: lease. ARGV: our value, release channel. Deletes only our own lease, then tells the standbys.</summary>
    public const string Release = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          redis.call('PUBLISH', ARGV[2], 'released')
          return 1
        end
        return 0
        """;

    /// <summary>KEYS: lease, standbys. ARGV: standby window ms. Returns {value or false, pttl, {member, score, ...}, now ms}.</summary>
    public const string Inspect = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[1]))
        return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1]), redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES'), now}
        """;
}
