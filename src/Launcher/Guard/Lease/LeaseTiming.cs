namespace Launcher.Guard.Lease;

/// <summary>
/// Every duration of the lease, derived from its TTL in one place (README "Coordination across hosts" explains
/// them). With the default TTL of 15 s: renew every 5 s, retry a failed renewal every 1 s, start stopping the
/// workers when 5 s of the last confirmed lease remain, SIGKILL what is left 1.5 s before it ends.
/// </summary>
internal sealed record LeaseTiming(TimeSpan Ttl)
{
    private static readonly TimeSpan MinimumMargin = TimeSpan.FromMilliseconds(250);

    /// <summary>A renewal is sent this long after the last one was sent.</summary>
    public TimeSpan RenewEvery => Ttl / 3;

    /// <summary>After a failed renewal, the next try comes this soon.</summary>
    public TimeSpan RetryEvery => Clamp(Ttl / 15, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

    /// <summary>
    /// Reserved at the end of the lease for clock-rate differences between this host and Redis (well under 0.1 % on
    /// NTP-disciplined clocks), scheduling delays and GC pauses: workers are SIGKILLed this long before the last
    /// confirmed lease can end.
    /// </summary>
    public TimeSpan Margin => Ttl / 10 > MinimumMargin ? Ttl / 10 : MinimumMargin;

    /// <summary>When no renewal has been confirmed and only this much of the lease is left, the workers are stopped
    /// (SIGTERM now, SIGKILL at <see cref="Margin"/>).</summary>
    public TimeSpan StopLead => Ttl / 3;

    /// <summary>How often a standby looks at the lease (a release is also announced at once through pub/sub).</summary>
    public TimeSpan PollEvery => Clamp(Ttl / 10, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

    /// <summary>A standby not seen for this long is no longer listed by <c>launcher status</c>.</summary>
    public TimeSpan StandbyWindow => PollEvery * 5 > TimeSpan.FromSeconds(2) ? PollEvery * 5 : TimeSpan.FromSeconds(2);

    /// <summary>How long a first connection may take before the start is refused (a refused port fails at once;
    /// this bounds a silent one).</summary>
    public static TimeSpan ConnectTimeout { get; } = TimeSpan.FromSeconds(5);

    /// <summary>StackExchange.Redis' own timeout for one command (the lease also bounds each call itself).</summary>
    public TimeSpan CommandTimeout => Clamp(Ttl / 3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;
}
