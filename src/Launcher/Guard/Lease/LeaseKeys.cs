using StackExchange.Redis;

namespace Launcher.Guard.Lease;

/// <summary>
/// The Redis keys of one instance. The <c>{instance}</c> hash tag keeps them in one cluster slot, so the scripts
/// that touch several of them stay valid on Redis Cluster.
/// </summary>
internal sealed record LeaseKeys(string Instance)
{
    /// <summary>The lease: <c>&lt;fence&gt;\n&lt;holder json&gt;</c>, with a TTL.</summary>
    public RedisKey Lease => $"launcher:{{{Instance}}}:lease";

    /// <summary>The fencing counter (INCR per acquisition; never expires).</summary>
    public RedisKey Fence => $"launcher:{{{Instance}}}:fence";

    /// <summary>Standbys seen: member = standby json, score = Redis time (ms) of its last poll.</summary>
    public RedisKey Standbys => $"launcher:{{{Instance}}}:standbys";

    /// <summary>Announces a release, so standbys take over at once instead of at their next poll.</summary>
    public RedisChannel Released => RedisChannel.Literal($"launcher:{{{Instance}}}:released");
}
