using Launcher.Exceptions;

namespace Launcher.Guard.Lease;

/// <summary>The validated <c>coordination</c> section. <see cref="Redis"/> is set exactly when the kind is Redis.</summary>
internal sealed record CoordinationSpec(CoordinationKind Kind, RedisTarget? Redis, TimeSpan Ttl)
{
    public const string KindKey = "coordination.kind";
    public const string UrlKey = "coordination.url";
    public const string TtlKey = "coordination.ttlSeconds";

    /// <summary>The default lease time-to-live (<c>coordination.ttlSeconds</c>).</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(15);

    /// <summary>The shortest TTL that leaves room for a renewal, a retry and a stop before expiry.</summary>
    public static readonly TimeSpan MinimumTtl = TimeSpan.FromSeconds(1);

    /// <summary>Today's behaviour: the lock file only.</summary>
    public static CoordinationSpec Local { get; } = new(CoordinationKind.Local, null, DefaultTtl);

    /// <summary>
    /// Validates the three keys as read from launcher.json (empty url = not set). The password may come from
    /// <see cref="LeaseEnvironment.RedisPassword"/>. Every problem is a <see cref="ConfigException"/> naming its key.
    /// </summary>
    public static CoordinationSpec From(string kind, string url, TimeSpan ttl)
    {
        var parsedKind = kind switch
        {
            "local" => CoordinationKind.Local,
            "redis" => CoordinationKind.Redis,
            _ => throw new ConfigException(KindKey, $"is \"{kind}\"; it must be \"local\" (this machine only, the default) or \"redis\" (one host at a time, with {UrlKey})"),
        };
        if (ttl < MinimumTtl)
            throw new ConfigException(TtlKey, $"is {ttl.TotalSeconds} s; the lease needs at least {MinimumTtl.TotalSeconds} s to renew and to stop workers in time");
        if (parsedKind == CoordinationKind.Local)
            return url.Length == 0 ? Local with { Ttl = ttl } : throw new ConfigException(UrlKey, $"is set but {KindKey} is \"local\"; set {KindKey} to \"redis\" to use it");
        if (url.Length == 0)
            throw new ConfigException(UrlKey, $"is required when {KindKey} is \"redis\", e.g. \"redis://redis.internal:6379/0\"");
        return new CoordinationSpec(parsedKind, RedisTarget.Parse(url, UrlKey, Environment.GetEnvironmentVariable(LeaseEnvironment.RedisPassword)), ttl);
    }
}
