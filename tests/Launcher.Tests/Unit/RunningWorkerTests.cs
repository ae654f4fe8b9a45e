using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>A worker's last answer is written by its slot's loop and read by the status publisher and scrapes at once.</summary>
[TestFixture]
public sealed class RunningWorkerTests
{
    [Test]
    public void The_last_ping_read_on_another_thread_is_never_half_written()
    {
        // Arrange: the writer flips between "never answered" and an answer; a torn read would show a value
        // that was never written (the answer's flag without its time, or the reverse).
        using var workers = new FakeWorkers(TimeProvider.System);
        var worker = workers.StartAsync(0).Result;
        var answered = new DateTimeOffset(2026, 11, 30, 1, 2, 3, TimeSpan.Zero);
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                worker.LastPingAt = answered;
                worker.LastPingAt = null;
            }
        });

        // Act
        var strange = new List<DateTimeOffset?>();
        for (var read = 0; read < 500_000 && strange.Count < 5; read++)
        {
            var seen = worker.LastPingAt;
            if (seen is not null && seen != answered)
                strange.Add(seen);
        }
        stop.Cancel();
        writer.Wait();

        // Assert
        Assert.That(strange, Is.Empty);
    }

    [Test]
    public void The_last_ping_keeps_the_moment_it_was_given()
    {
        using var workers = new FakeWorkers(TimeProvider.System);
        var worker = workers.StartAsync(0).Result;
        var answered = new DateTimeOffset(2026, 11, 30, 2, 0, 0, TimeSpan.FromHours(1));

        worker.LastPingAt = answered;

        Assert.Multiple(() =>
        {
            Assert.That(worker.LastPingAt, Is.EqualTo(answered));
            Assert.That(worker.LastPingAt?.Offset, Is.EqualTo(TimeSpan.Zero), "kept in UTC");
        });
    }
}
