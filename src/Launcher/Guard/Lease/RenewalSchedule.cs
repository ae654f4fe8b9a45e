namespace Launcher.Guard.Lease;

/// <summary>
/// The holder's view of its lease, on its own monotonic clock (times are offsets from the acquisition's send time).
/// A renewal confirms the lease until <em>its send time</em> + TTL: Redis set the expiry after it received the
/// command, so counting from the send is never later than Redis' own expiry. Pure: tested with fake times.
/// </summary>
internal sealed class RenewalSchedule(LeaseTiming timing)
{
    /// <summary>The lease is certainly ours until then (acquired at offset zero).</summary>
    public TimeSpan ConfirmedUntil { get; private set; } = timing.Ttl;

    /// <summary>When the next renewal is due.</summary>
    public TimeSpan NextAttemptAt { get; private set; } = timing.RenewEvery;

    /// <summary>From here on, unless a renewal is confirmed first, the workers are stopped.</summary>
    public TimeSpan StopAt => ConfirmedUntil - timing.StopLead;

    /// <summary>From here on nothing of ours may run: what is left gets SIGKILL.</summary>
    public TimeSpan MustBeGoneAt => ConfirmedUntil - timing.Margin;

    /// <summary>A renewal sent at <paramref name="sentAt"/> was confirmed by Redis.</summary>
    public void Renewed(TimeSpan sentAt)
    {
        if (sentAt + timing.Ttl > ConfirmedUntil)
            ConfirmedUntil = sentAt + timing.Ttl;
        NextAttemptAt = sentAt + timing.RenewEvery;
    }

    /// <summary>A renewal could not be confirmed (error or timeout): try again soon, never after <see cref="StopAt"/>.</summary>
    public void Failed(TimeSpan now)
    {
        var retry = now + timing.RetryEvery;
        NextAttemptAt = retry < StopAt ? retry : StopAt;
    }

    /// <summary>True once the workers must be stopped.</summary>
    public bool MustStop(TimeSpan now) => now >= StopAt;

    /// <summary>How long a renewal sent now may take before it is useless (it must be confirmed before <see cref="StopAt"/>).</summary>
    public TimeSpan AttemptBudget(TimeSpan now) => StopAt - now;
}
