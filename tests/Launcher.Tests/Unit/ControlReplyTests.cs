using System.Text;
using System.Text.Json;
using Launcher.Census;
using Launcher.Cli;
using Launcher.Control;
using Launcher.Guard.Lease;
using Launcher.Supervise;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>
/// Issue 12, part 3: `status` and `ping` print the running launcher's reply without building the serializer's
/// metadata; what they print must still be exactly what the serializer prints (`status --json` keeps its shape).
/// </summary>
[TestFixture]
public sealed class ControlReplyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 1, 2, 3, TimeSpan.FromHours(1));

    [Test]
    public void A_status_reply_prints_byte_for_byte_what_the_serializer_prints_for_status_json()
    {
        // Arrange: everything that escapes or nests: '+' in times, HTML characters, quotes, non-ASCII, nulls, empty lists.
        var report = Report();
        var wire = JsonSerializer.Serialize(report, ControlWireJson.Default.StatusReport);

        // Act
        var printed = IndentedJson.Format(Encoding.UTF8.GetBytes(wire));

        // Assert
        Assert.That(printed, Is.EqualTo(StatusDocument.ToJson(report)));
    }

    [Test]
    public void A_status_reply_read_field_by_field_is_the_report_the_launcher_sent()
    {
        // Arrange
        var report = Report();
        using var wire = JsonDocument.Parse(JsonSerializer.Serialize(report, ControlWireJson.Default.StatusReport));

        // Act
        var read = WireReports.Status(wire.RootElement);

        // Assert: equal as documents (the records hold lists, compared by reference).
        Assert.That(read, Is.Not.Null);
        Assert.That(StatusDocument.ToJson(read!), Is.EqualTo(StatusDocument.ToJson(report)));
    }

    [Test]
    public void A_ping_reply_prints_what_the_serializer_prints_with_the_commands_own_expectation()
    {
        // Arrange
        var report = new PingReport("api-<x>", 2, 1, true,
            [new PingEntry("api1@h\u00e9", 11, true, null, "launcher"), new PingEntry(null, 12, false, "no answer \"here\" + there", "launcher")],
            StatusReport.FromLauncher);
        var wire = JsonSerializer.Serialize(report, ControlWireJson.Default.PingReport);
        using var document = JsonDocument.Parse(wire);

        // Act: `ping --expect 3`
        var read = WireReports.Ping(document.RootElement);
        var printed = IndentedJson.Format(Encoding.UTF8.GetBytes(wire), new Dictionary<string, string> { ["expected"] = "3", ["ok"] = "false" });

        // Assert
        Assert.That(read, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(printed, Is.EqualTo(JsonSerializer.Serialize(report with { Expected = 3, Ok = false }, PingJson.Default.PingReport)));
            Assert.That(JsonSerializer.Serialize(read! with { Workers = report.Workers }, PingJson.Default.PingReport), Is.EqualTo(JsonSerializer.Serialize(report, PingJson.Default.PingReport)));
            Assert.That(read!.Workers.Select(w => (w.Node, w.Pid, w.Answered, w.Problem, w.FoundBy)), Is.EqualTo(report.Workers.Select(w => (w.Node, w.Pid, w.Answered, w.Problem, w.FoundBy))));
        });
    }

    [TestCase("{\"error\":\"refused: only uid 0 may control this launcher\"}", TestName = "An error reply is no report")]
    [TestCase("{\"instance\":\"other\",\"launcher\":null,\"state\":\"running\",\"workers\":[],\"expected\":1,\"events\":[],\"source\":\"launcher\"}", TestName = "Another instance's report is no report")]
    [TestCase("{\"instance\":\"mine\",\"state\":\"running\",\"workers\":[{\"pid\":\"twelve\"}],\"expected\":1}", TestName = "A report with a field of the wrong kind is no report")]
    [TestCase("not json", TestName = "Garbage is no report")]
    public void A_reply_that_is_not_this_instances_report_is_not_believed(string line)
    {
        // Act
        using var answer = ControlAnswer.Parse(line, "mine");
        var report = answer is null ? null : WireReports.Status(answer.Document.RootElement);

        // Assert: the command falls back to discovery.
        Assert.That(report, Is.Null);
    }

    [Test]
    public void Piped_status_has_one_unwrapped_row_per_worker_with_aligned_columns()
    {
        // Arrange: a log path far wider than any terminal.
        var longLog = "/var/log/" + new string('x', 300) + "/worker_12.log";
        var report = new StatusReport("mine", new HolderEntry(10, Now, "launcher run"), "running",
            [new StatusEntry("api12@host", 12, 65, Now.AddSeconds(-3), longLog, 0, "supervised"), new StatusEntry(null, 7, null, null, null, 2, "STRAY")],
            2, []);
        var output = new StringWriter();

        // Act
        PlainStatus.Write(output, report, Now);

        // Assert
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Is.EqualTo("instance   mine: running"));
            Assert.That(lines[1], Does.StartWith("launcher   pid 10, started "));
            Assert.That(lines[2], Is.EqualTo("NODE       PID UPTIME LAST PING RESTARTS STATE      LOG"));
            Assert.That(lines[3], Is.EqualTo("api12@host  12 1m05s  3s ago           0 supervised " + longLog));
            Assert.That(lines[4], Is.EqualTo("?            7 -      -                2 STRAY      -"));
            Assert.That(lines, Has.Length.EqualTo(5));
            Assert.That(output.ToString(), Does.Not.Contain("\u001b"));
        });
    }

    private static StatusReport Report() =>
        new("api-<&>'\"\u00e9", new HolderEntry(4242, Now, "/opt/l\u00e4uncher run --config \"a b.json\" <x> & y + z"), "running",
            [
                new StatusEntry("api1@h", 1, 12, Now, "/logs/worker_1.log", 0, "supervised"),
                new StatusEntry(null, 2, null, null, null, 3, "supervised by pid 9"),
            ],
            2,
            [new RunEvent(Now, "worker-started", "api1@h", 1, "slot #0"), new RunEvent(Now.AddSeconds(1), "phase", null, null, "Starting to Supervising \\ done")],
            new LeaseSnapshot("redis://127.0.0.1:6379", true, null, new LeaseHolderEntry("host-a", 4242, Now, 7, 2.5), null,
                [new LeaseStandbyEntry("host-b", 77, Now, 0.25)]),
            StatusReport.FromLauncher)
        {
            Census = new CensusStatus(Now, "host", null, ["api1@h"], [], [new CensusNodeStatus("celery@x", 5, "x", null, "foreign")], [], 1, [], []),
        };
}
