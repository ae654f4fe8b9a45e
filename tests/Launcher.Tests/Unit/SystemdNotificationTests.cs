using Launcher.Cli;
using Launcher.Supervise;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>
/// Issue 13, part 1, the pure parts: what STATUS= says, when WATCHDOG=1 may be sent (only while the supervision loop
/// beats), WATCHDOG_PID, and the order of the messages a run sends.
/// </summary>
[TestFixture]
public sealed class SystemdNotificationTests
{
    [Test]
    public void The_status_line_counts_answering_workers_and_names_the_one_being_restarted()
    {
        // Arrange
        SlotView[] healthy = [new(SlotState.Running, "api1@h", null, null), new(SlotState.Running, "api2@h", null, null)];
        SlotView[] oneDown = [new(SlotState.Running, "api1@h", null, null), new(SlotState.BackingOff, null, "api2@h", "crashed")];
        SlotView[] rolling = [new(SlotState.Replacing, "api1@h", null, null), new(SlotState.Running, "api2@h", null, null)];

        // Act + Assert
        Assert.Multiple(() =>
        {
            Assert.That(SupervisionSummary.Describe(healthy), Is.EqualTo("2/2 answering"));
            Assert.That(SupervisionSummary.Describe(oneDown), Is.EqualTo("1/2 answering, restarting api2@h (crashed)"));
            Assert.That(SupervisionSummary.Describe(rolling), Is.EqualTo("1/2 answering, replacing api1@h (rolling restart)"));
        });
    }

    [TestCase("30000000", null, 15.0)]
    [TestCase("1000000", "4242", 0.5)]
    [TestCase("1000000", "4243", null)]
    [TestCase("", null, null)]
    [TestCase("0", null, null)]
    [TestCase("abc", null, null)]
    public void The_watchdog_pings_at_half_of_WATCHDOG_USEC_and_only_when_WATCHDOG_PID_is_ours(string usec, string? pid, double? seconds)
    {
        // Act
        var interval = SystemdNotifier.ParseWatchdog(usec, pid, ownPid: 4242);

        // Assert
        Assert.That(interval?.TotalSeconds, Is.EqualTo(seconds));
    }

    [Test]
    public void Watchdog_pings_stop_when_the_supervision_loop_stops_beating_and_resume_when_it_beats_again()
    {
        // Arrange
        var clock = new FakeTimeProvider();
        var heartbeat = new SupervisionHeartbeat(clock);
        var sent = new List<string>();
        var watchdog = new SystemdWatchdog(TimeSpan.FromSeconds(1), heartbeat, clock, message => { sent.Add(message); return true; }, NullLogger.Instance);

        // Act
        var beforeSupervision = watchdog.Tick(); // start-up: nothing is required yet
        heartbeat.Require();
        clock.Advance(SupervisionHeartbeat.StaleAfter);
        var atTheLimit = watchdog.Tick();
        clock.Advance(TimeSpan.FromSeconds(1));
        var wedged = watchdog.Tick();
        heartbeat.Beat();
        var beatingAgain = watchdog.Tick();
        clock.Advance(TimeSpan.FromMinutes(5));
        heartbeat.Release(); // the stop: the loop ended on purpose
        var stopping = watchdog.Tick();

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(beforeSupervision, Is.True);
            Assert.That(atTheLimit, Is.True, "a beat exactly StaleAfter old still counts");
            Assert.That(wedged, Is.False, "no ping once the loop missed its beats");
            Assert.That(beatingAgain, Is.True);
            Assert.That(stopping, Is.True);
            Assert.That(sent, Has.Count.EqualTo(4));
            Assert.That(sent, Is.All.EqualTo("WATCHDOG=1"));
            Assert.That(watchdog.Sent, Is.EqualTo(4));
        });
    }

    [Test]
    public async Task The_watchdog_loop_pings_on_its_interval_while_the_loop_beats()
    {
        // Arrange
        var clock = new FakeTimeProvider();
        var heartbeat = new SupervisionHeartbeat(clock);
        var sent = 0;
        var watchdog = new SystemdWatchdog(TimeSpan.FromSeconds(1), heartbeat, clock, _ => { Interlocked.Increment(ref sent); return true; }, NullLogger.Instance);
        heartbeat.Require();

        // Act: five intervals, the loop beating each time.
        watchdog.Start(CancellationToken.None);
        await Until.TrueAsync(() => Volatile.Read(ref sent) >= 1, "the first ping");
        for (var i = 0; i < 5; i++)
        {
            var before = Volatile.Read(ref sent);
            heartbeat.Beat();
            clock.Advance(TimeSpan.FromSeconds(1));
            await Until.TrueAsync(() => Volatile.Read(ref sent) > before, "the next ping");
        }

        await watchdog.StopAsync();

        // Assert
        Assert.That(Volatile.Read(ref sent), Is.EqualTo(6), "one at start, one per interval");
    }

    [Test]
    public void A_run_sends_STATUS_only_after_READY_only_when_it_changed_and_nothing_but_STOPPING_once_it_stops()
    {
        // Arrange
        var sent = new List<string>();
        var reporter = new RunReporter(NullLogger.Instance, message => { sent.Add(message); return true; });

        // Act
        reporter.WorkersChanged("0/1 answering, starting api1@h");
        reporter.Ready("ready: 1/1 workers verified (api1@h)");
        reporter.WorkersChanged("1/1 answering");
        reporter.WorkersChanged("1/1 answering");
        reporter.Reloading();
        reporter.Reloaded("1/1 answering");
        reporter.Stopping();
        reporter.WorkersChanged("0/1 answering, stopping api1@h");
        reporter.Reloading();

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(sent, Has.Count.EqualTo(5), string.Join("\n---\n", sent));
            Assert.That(sent[0], Does.StartWith("READY=1\nSTATUS=ready: 1/1"));
            Assert.That(sent[1], Is.EqualTo("STATUS=1/1 answering"));
            Assert.That(sent[2], Does.StartWith("RELOADING=1\nMONOTONIC_USEC="));
            Assert.That(sent[3], Is.EqualTo("READY=1\nSTATUS=1/1 answering"));
            Assert.That(sent[4], Does.StartWith("STOPPING=1"));
        });
    }
}
