using Launcher.Spawn;
using Launcher.Supervise;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>Issue 9: the recent run events, their ring, and how they reach the status file.</summary>
[TestFixture]
public sealed class RunEventsTests
{
    [Test]
    public void The_ring_keeps_only_the_most_recent_events_oldest_first()
    {
        // Arrange
        var clock = new FakeTimeProvider();
        var events = new RunEvents(clock);

        // Act
        for (var i = 0; i < RunEvents.Capacity + 10; i++)
        {
            events.Add(RunEventKind.WorkerStarted, "api@test", i);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Assert
        var kept = events.Snapshot();
        Assert.Multiple(() =>
        {
            Assert.That(kept, Has.Count.EqualTo(RunEvents.Capacity));
            Assert.That(kept[0].Pid, Is.EqualTo(10));
            Assert.That(kept[^1].Pid, Is.EqualTo(RunEvents.Capacity + 9));
            Assert.That(kept.Select(e => e.Time), Is.Ordered);
        });
    }

    [Test]
    public void The_status_file_carries_the_expected_count_and_the_events()
    {
        // Arrange
        var dir = Directory.CreateTempSubdirectory("launcher-unit-").FullName;
        try
        {
            var path = Path.Combine(dir, "status.json");
            var events = new RunEvents(new FakeTimeProvider());
            events.Add(RunEventKind.WorkerExited, "api7@test", 7, "exit code 3 (crashed)");
            var publisher = new StatusPublisher(path, "unit", expected: 1, events, NullLogger.Instance);

            // Act
            publisher.Publish(RunPhase.Supervising, []);
            var read = StatusFile.TryRead(path);

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(read?.State, Is.EqualTo("running"));
                Assert.That(read?.Expected, Is.EqualTo(1));
                Assert.That(read?.Events, Has.Count.EqualTo(1));
                Assert.That(read?.Events?[0], Is.EqualTo(events.Snapshot()[0]));
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCase("Exited", ExitReason.Crashed)]
    [TestCase("Hung", ExitReason.Hung)]
    [TestCase("Silent", ExitReason.Hung)]
    [TestCase("Stopped", ExitReason.Stopped)]
    public void Each_way_a_worker_ends_has_its_exit_hook_reason(string cause, string reason) =>
        Assert.That(ExitClassifier.ReasonFor(Enum.Parse<WorkerEndCause>(cause)), Is.EqualTo(reason));

    [Test]
    public void Only_a_failed_exit_fails_a_run_whose_workers_are_not_restarted()
    {
        static WorkerEnd End(int code) => new(null!, new WorkerExit(code, DateTimeOffset.UnixEpoch), ExitReason.Crashed);
        var failed = End(3);

        Assert.Multiple(() =>
        {
            Assert.That(ExitClassifier.FirstFailure([End(0), null, failed, End(4)]), Is.SameAs(failed));
            Assert.That(ExitClassifier.FirstFailure([End(0), null]), Is.Null);
        });
    }
}
