using Launcher.Supervise;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>
/// Issue 12: a burst of <c>SIGCHLD</c>s (ten ping commands ending together) is one reap of adopted zombies, done
/// after the burst's first signal has waited for the rest; a signal during a reap still gets a reap after it.
/// </summary>
[TestFixture]
public sealed class GatheredChoreTests
{
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(20);

    [Test]
    public void A_burst_of_requests_is_one_run_after_the_gathering_time()
    {
        // Arrange
        var clock = new FakeTimeProvider();
        var runs = 0;
        using var chore = new GatheredChore(clock, Gather, () => runs++);

        // Act: ten requests spread over 15 ms.
        for (var i = 0; i < 10; i++)
        {
            chore.Request();
            clock.Advance(TimeSpan.FromMilliseconds(1.5));
        }

        var before = runs;
        clock.Advance(Gather);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(before, Is.Zero, "ran before its burst was gathered");
            Assert.That(runs, Is.EqualTo(1));
        });
    }

    [Test]
    public void A_request_while_it_runs_gets_exactly_one_more_run_and_a_later_one_its_own()
    {
        // Arrange: the first run is asked for again (three times) while it runs, as a SIGCHLD arriving mid-reap is.
        var clock = new FakeTimeProvider();
        var runs = 0;
        GatheredChore? chore = null;
        chore = new GatheredChore(clock, Gather, () =>
        {
            if (++runs == 1)
            {
                chore!.Request();
                chore.Request();
                chore.Request();
            }
        });
        using var owned = chore;

        // Act
        chore.Request();
        clock.Advance(Gather);
        var afterBurst = runs;
        chore.Request();
        clock.Advance(Gather - TimeSpan.FromMilliseconds(1));
        var whileGathering = runs;
        clock.Advance(TimeSpan.FromMilliseconds(1));

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(afterBurst, Is.EqualTo(2), "the run and the one asked for during it");
            Assert.That(whileGathering, Is.EqualTo(2));
            Assert.That(runs, Is.EqualTo(3));
        });
    }

    [Test]
    public void Nothing_runs_once_disposed_not_even_a_run_being_gathered()
    {
        // Arrange
        var clock = new FakeTimeProvider();
        var runs = 0;
        var chore = new GatheredChore(clock, Gather, () => runs++);

        // Act
        chore.Request();
        chore.Dispose();
        clock.Advance(Gather * 2);
        chore.Request();
        clock.Advance(Gather * 2);

        // Assert
        Assert.That(runs, Is.Zero);
    }
}
