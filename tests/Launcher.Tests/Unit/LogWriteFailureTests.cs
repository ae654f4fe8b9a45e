using Launcher.Logging;
using Launcher.Spawn;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>
/// Issue 13, item 6: a log file that cannot be written is reported once per minute per file, with the lines lost
/// since the last report, never once per line; and the writer never sees an exception.
/// </summary>
[TestFixture]
public sealed class LogWriteFailureTests
{
    [Test]
    public void Failures_are_reported_at_the_first_then_once_a_minute_with_the_lines_lost_since()
    {
        // Arrange
        var clock = new FakeTimeProvider();
        var throttle = new LogWriteFailureThrottle(clock);
        var reports = new List<int>();

        void Fail()
        {
            if (throttle.RecordFailure(out var lost))
                reports.Add(lost);
        }

        // Act: a line every 100 ms for 150 s.
        for (var i = 0; i < 1500; i++)
        {
            Fail();
            clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        // Assert: at 0 s, 60 s and 120 s; every failed line is counted in exactly one report or still pending.
        Assert.Multiple(() =>
        {
            Assert.That(reports, Is.EqualTo(new[] { 1, 600, 600 }));
            Assert.That(throttle.TotalFailures, Is.EqualTo(1500));
        });
    }

    [Test]
    public void A_worker_log_that_cannot_be_opened_reports_once_a_minute_and_never_throws()
    {
        // Arrange: the log's directory is a regular file, so every open fails (ENOTDIR), even for root.
        var dir = Directory.CreateTempSubdirectory("logfail-");
        try
        {
            var notADirectory = Path.Join(dir.FullName, "logs");
            File.WriteAllText(notADirectory, "");
            var clock = new FakeTimeProvider();
            var reports = new List<(Exception Error, int Lost)>();
            var log = new WorkerLog(Path.Join(notADirectory, "worker_1.log"), 1 << 20, 1, echo: null, (error, lost) => reports.Add((error, lost)), clock);

            // Act: 500 lines, then a minute later one more.
            Assert.DoesNotThrow(() =>
            {
                for (var i = 0; i < 500; i++)
                    log.Write("out", $"line {i}");
                clock.Advance(LogWriteFailureThrottle.ReportEvery);
                log.Write("out", "a minute later");
            });
            var recent = log.RecentLines(1);
            Assert.DoesNotThrow(log.Dispose);

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(reports, Has.Count.EqualTo(2), "the first failure, then one report a minute later, none per line");
                Assert.That(reports[0].Lost, Is.EqualTo(1));
                Assert.That(reports[^1].Lost, Is.GreaterThanOrEqualTo(500), "the writes lost since (the sink may count an open's retries too)");
                Assert.That(log.WriteFailed, Is.True);
                Assert.That(recent, Is.EqualTo(new[] { "a minute later" }), "the crash-report tail keeps working");
            });
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
