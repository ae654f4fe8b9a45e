using Launcher.Guard.Lease;
using NUnit.Framework;

namespace Launcher.Tests.Lease;

/// <summary>The holder's deadlines, as pure arithmetic on its own clock (no Redis, no sleeps).</summary>
[TestFixture]
public sealed class RenewalScheduleTests
{
    private static readonly LeaseTiming Default = new(TimeSpan.FromSeconds(15));

    [Test]
    public void With_the_default_TTL_the_holder_renews_every_5_s_and_stops_its_workers_between_10_and_13_5_s_without_a_renewal()
    {
        var schedule = new RenewalSchedule(Default);

        Assert.Multiple(() =>
        {
            Assert.That(schedule.NextAttemptAt, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(schedule.StopAt, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(schedule.MustBeGoneAt, Is.EqualTo(TimeSpan.FromSeconds(13.5)));
            Assert.That(schedule.MustStop(TimeSpan.FromSeconds(9.99)), Is.False);
            Assert.That(schedule.MustStop(TimeSpan.FromSeconds(10)), Is.True);
        });
    }

    [Test]
    public void A_renewal_counts_from_when_it_was_sent_not_from_when_the_answer_came()
    {
        var schedule = new RenewalSchedule(Default);

        schedule.Renewed(sentAt: TimeSpan.FromSeconds(5));

        Assert.That(schedule.ConfirmedUntil, Is.EqualTo(TimeSpan.FromSeconds(20)));
        Assert.That(schedule.MustBeGoneAt, Is.LessThan(schedule.ConfirmedUntil));
        Assert.That(schedule.NextAttemptAt, Is.EqualTo(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void A_late_answer_to_an_old_renewal_never_moves_the_deadline_back()
    {
        var schedule = new RenewalSchedule(Default);
        schedule.Renewed(TimeSpan.FromSeconds(10));

        schedule.Renewed(TimeSpan.FromSeconds(5));

        Assert.That(schedule.ConfirmedUntil, Is.EqualTo(TimeSpan.FromSeconds(25)));
    }

    [Test]
    public void Failed_renewals_are_retried_every_second_but_never_past_the_stop()
    {
        var schedule = new RenewalSchedule(Default);

        schedule.Failed(TimeSpan.FromSeconds(5));
        var retry = schedule.NextAttemptAt;
        schedule.Failed(TimeSpan.FromSeconds(9.5));

        Assert.That(retry, Is.EqualTo(TimeSpan.FromSeconds(6)));
        Assert.That(schedule.NextAttemptAt, Is.EqualTo(schedule.StopAt));
        Assert.That(schedule.AttemptBudget(TimeSpan.FromSeconds(9.5)), Is.EqualTo(TimeSpan.FromSeconds(0.5)));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(15)]
    [TestCase(300)]
    public void For_any_TTL_the_stop_comes_after_a_retry_and_the_kill_before_the_end(double ttlSeconds)
    {
        var timing = new LeaseTiming(TimeSpan.FromSeconds(ttlSeconds));
        var schedule = new RenewalSchedule(timing);

        Assert.Multiple(() =>
        {
            Assert.That(timing.RenewEvery + timing.RetryEvery, Is.LessThanOrEqualTo(schedule.StopAt), "at least one retry before stopping");
            Assert.That(schedule.StopAt, Is.LessThan(schedule.MustBeGoneAt), "SIGTERM before SIGKILL");
            Assert.That(schedule.MustBeGoneAt, Is.LessThan(schedule.ConfirmedUntil), "everything gone before the lease can end");
            Assert.That(timing.PollEvery, Is.LessThan(timing.Ttl));
        });
    }
}
