namespace Launcher.Guard.Lease;

/// <summary>The validated <c>coordination</c> section. <see cref="Redis"/> is set exactly when the kind is Redis.</summary>
internal sealed record CoordinationSpec(CoordinationKind Kind, RedisTarget? Redis, TimeSpan Ttl)
{
    /// <summary>The default lease time-to-live (<c>coordination.ttlSeconds</c>).</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(15);

    /// <summary>The shortest TTL that leaves room for a renewal, a retry and a stop before expiry.</summary>
    public static readonly TimeSpan MinimumTtl = TimeSpan.FromSeconds(1);

    /// <summary>Today's behaviour: the lock file only.</summary>
    public static CoordinationSpec Local { get; } = new(CoordinationKind.Local, null, DefaultTtl);
}
