using Launcher.Config;
using Launcher.Supervise;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 4, restart backoff with a fake clock (no sleeping): 1 s doubling to a 60 s cap, ±20% jitter that never
/// exceeds the cap, and a fresh start after 30 s of healthy uptime. Seeded randomness: every run is the same.
/// </summary>
[TestFixture]
public sealed class RestartBackoffTests
{
    private const int Seed = 4242;
    private static readonly RestartSpec Defaults = new(
        Enabled: true,
        InitialDelay: TimeSpan.FromSeconds(1),
        MaxDelay: TimeSpan.FromSeconds(60),
        ResetAfter: TimeSpan.FromSeconds(30),
        CrashLoopCount: 5,
        CrashLoopWindow: TimeSpan.FromSeconds(120));

    private static readonly double[] Expected = [1, 2, 4, 8, 16, 32, 60, 60, 60];

    [Test]
    public void Delays_double_from_the_initial_delay_up_to_the_cap()
    {
        // Arrange: a worker that dies one second after every start (never healthy long enough to reset).
        var clock = new FakeTimeProvider();
        var backoff = new RestartBackoff(Defaults, new Random(Seed));

        // Act
        var delays = Expected.Select(_ => Crash(clock, backoff, TimeSpan.FromSeconds(1))).ToList();

        // Assert: each is its step within ±20%, and never above the cap.
        for (var i = 0; i < Expected.Length; i++)
        {
            Assert.That(delays[i].TotalSeconds, Is.InRange(Expected[i] * 0.8, Math.Min(Expected[i] * 1.2, 60)), $"restart {i + 1}");
        }
    }

    [Test]
    public void Jitter_stays_within_20_percent_and_never_above_the_maximum()
    {
        // Arrange: many independent backoffs, so the jitter's whole range is exercised.
        var random = new Random(Seed);
        var first = new List<double>();
        var capped = new List<double>();

        // Act
        for (var i = 0; i < 2000; i++)
        {
            var backoff = new RestartBackoff(Defaults, random);
            first.Add(backoff.NextDelay(TimeSpan.Zero).TotalSeconds);
            for (var step = 1; step < 6; step++)
                backoff.NextDelay(TimeSpan.Zero);
            capped.Add(backoff.NextDelay(TimeSpan.Zero).TotalSeconds); // 7th: the base is at the 60 s cap
        }

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.All.InRange(0.8, 1.2));
            Assert.That(first.Min(), Is.LessThan(0.85), "jitter reaches down towards -20%");
            Assert.That(first.Max(), Is.GreaterThan(1.15), "jitter reaches up towards +20%");
            Assert.That(first.Distinct().Count(), Is.GreaterThan(1000), "delays are spread, not in lockstep");
            Assert.That(capped, Is.All.InRange(48.0, 60.0), "at the cap, jitter only shortens");
        });
    }

    [Test]
    public void A_worker_that_stayed_up_for_resetAfter_starts_again_from_the_initial_delay()
    {
        // Arrange: five quick crashes build the delay up to 16 s.
        var clock = new FakeTimeProvider();
        var backoff = new RestartBackoff(Defaults, new Random(Seed));
        for (var i = 0; i < 5; i++)
            Crash(clock, backoff, TimeSpan.FromSeconds(1));

        // Act: the next worker is healthy for 29 s (not enough), then one is healthy for 30 s.
        var afterShortUptime = Crash(clock, backoff, TimeSpan.FromSeconds(29));
        var afterHealthyUptime = Crash(clock, backoff, TimeSpan.FromSeconds(30));
        var afterThat = Crash(clock, backoff, TimeSpan.FromSeconds(1));

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(afterShortUptime.TotalSeconds, Is.InRange(32 * 0.8, 32 * 1.2), "29 s is not healthy: keeps doubling");
            Assert.That(afterHealthyUptime.TotalSeconds, Is.InRange(0.8, 1.2), "30 s healthy: back to the initial delay");
            Assert.That(afterThat.TotalSeconds, Is.InRange(1.6, 2.4), "and doubling starts over");
        });
    }

    [Test]
    public void Configured_delays_are_honoured()
    {
        // Arrange: restart:initialDelaySeconds 0.05, maxDelaySeconds 0.3.
        var spec = Defaults with { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(300) };
        var backoff = new RestartBackoff(spec, new Random(Seed));

        // Act
        var delays = Enumerable.Range(0, 6).Select(_ => backoff.NextDelay(TimeSpan.Zero).TotalSeconds).ToList();

        // Assert: 0.05, 0.1, 0.2, then the 0.3 cap.
        Assert.Multiple(() =>
        {
            Assert.That(delays[0], Is.InRange(0.04, 0.06));
            Assert.That(delays[1], Is.InRange(0.08, 0.12));
            Assert.That(delays[2], Is.InRange(0.16, 0.24));
            Assert.That(delays.Skip(3), Is.All.InRange(0.24, 0.3));
        });
    }

    [Test]
    public void With_an_initial_delay_of_zero_the_first_restart_is_immediate_and_further_ones_double_from_a_small_floor()
    {
        // Arrange: restart:initialDelaySeconds 0 (issue 12): a worker that keeps dying one second after each start.
        var clock = new FakeTimeProvider();
        var backoff = new RestartBackoff(Defaults with { InitialDelay = TimeSpan.Zero }, new Random(Seed));

        // Act
        var delays = Enumerable.Range(0, 5).Select(_ => Crash(clock, backoff, TimeSpan.FromSeconds(1)).TotalSeconds).ToList();

        // Assert: 0, then 0.1, 0.2, 0.4, 0.8 s (±20%): the doubling does not stay at zero, so a loop is slowed down.
        var floor = RestartBackoff.Floor.TotalSeconds;
        Assert.Multiple(() =>
        {
            Assert.That(delays[0], Is.Zero, "the first restart waits for nothing");
            for (var i = 1; i < delays.Count; i++)
                Assert.That(delays[i], Is.InRange(floor * Math.Pow(2, i - 1) * 0.8, floor * Math.Pow(2, i - 1) * 1.2), $"restart {i + 1}");
        });
    }

    [Test]
    public void With_an_initial_delay_of_zero_a_worker_that_stayed_up_for_resetAfter_is_restarted_at_once_again()
    {
        // Arrange: three quick crashes build the delay up.
        var clock = new FakeTimeProvider();
        var backoff = new RestartBackoff(Defaults with { InitialDelay = TimeSpan.Zero }, new Random(Seed));
        for (var i = 0; i < 3; i++)
            Crash(clock, backoff, TimeSpan.FromSeconds(1));

        // Act: the next worker is healthy for 30 s, then the one after dies at once.
        var afterHealthyUptime = Crash(clock, backoff, TimeSpan.FromSeconds(30));
        var afterThat = Crash(clock, backoff, TimeSpan.FromSeconds(1));

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(afterHealthyUptime, Is.EqualTo(TimeSpan.Zero), "healthy: immediate again");
            Assert.That(afterThat.TotalSeconds, Is.InRange(0.08, 0.12), "then from the floor");
        });
    }

    // A worker starts now, runs for `uptime` on the fake clock, and dies; returns the delay before its replacement.
    private static TimeSpan Crash(FakeTimeProvider clock, RestartBackoff backoff, TimeSpan uptime)
    {
        var startedAt = clock.GetUtcNow();
        clock.Advance(uptime);
        var delay = backoff.NextDelay(clock.GetUtcNow() - startedAt);
        clock.Advance(delay);
        return delay;
    }
}
