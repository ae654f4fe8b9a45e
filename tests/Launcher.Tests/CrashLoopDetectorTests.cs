using Launcher.Supervise;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 4, crash-loop detection with a fake clock: 5 unexpected exits within 120 s trip it; the same number
/// spread over more than the window does not.
/// </summary>
[TestFixture]
public sealed class CrashLoopDetectorTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(120);

    [Test]
    public void Five_exits_within_120_seconds_are_a_crash_loop()
    {
        // Arrange
        var clock = new FakeTimeProvider();
        var detector = new CrashLoopDetector(clock, 5, Window);

        // Act: an exit every 29 s: the fifth lands 116 s after the first.
        var tripped = new List<bool>();
        for (var i = 0; i < 5; i++)
        {
            tripped.Add(detector.RecordExit());
            clock.Advance(TimeSpan.FromSeconds(29));
        }

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(tripped, Is.EqualTo(new[] { false, false, false, false, true }));
            Assert.That(detector.RecentExits, Is.EqualTo(5));
        });
    }

    [Test]
    public void Exits_spread_over_more_than_the_window_are_not_a_crash_loop()
    {
        // Arrange
        var clock = new FakeTimeProvider();
        var detector = new CrashLoopDetector(clock, 5, Window);

        // Act: an exit every 31 s, twenty times: any five span 124 s.
        var tripped = new List<bool>();
        for (var i = 0; i < 20; i++)
        {
            tripped.Add(detector.RecordExit());
            clock.Advance(TimeSpan.FromSeconds(31));
        }

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(tripped, Has.None.True);
            Assert.That(detector.RecentExits, Is.EqualTo(4), "only exits inside the window are remembered");
        });
    }

    [Test]
    public void Old_exits_drop_out_of_the_window()
    {
        // Arrange: four exits in a burst, then a long healthy stretch.
        var clock = new FakeTimeProvider();
        var detector = new CrashLoopDetector(clock, 5, Window);
        for (var i = 0; i < 4; i++)
            detector.RecordExit();
        clock.Advance(Window + TimeSpan.FromSeconds(1));

        // Act: one more exit, then a burst of four.
        var afterQuiet = detector.RecordExit();
        var burst = Enumerable.Range(0, 4).Select(_ => detector.RecordExit()).ToList();

        // Assert: the old burst no longer counts; the new one trips on its fifth exit.
        Assert.Multiple(() =>
        {
            Assert.That(afterQuiet, Is.False);
            Assert.That(burst, Is.EqualTo(new[] { false, false, false, true }));
        });
    }

    [Test]
    public void The_count_and_window_are_configurable()
    {
        // Arrange: restart:crashLoopCount 3, crashLoopWindowSeconds 60.
        var clock = new FakeTimeProvider();
        var detector = new CrashLoopDetector(clock, 3, TimeSpan.FromSeconds(60));

        // Act
        var first = detector.RecordExit();
        clock.Advance(TimeSpan.FromSeconds(59));
        var second = detector.RecordExit();
        clock.Advance(TimeSpan.FromSeconds(2)); // the first is now 61 s old
        var third = detector.RecordExit();
        var fourth = detector.RecordExit();

        // Assert
        Assert.That(new[] { first, second, third, fourth }, Is.EqualTo(new[] { false, false, false, true }));
    }
}
