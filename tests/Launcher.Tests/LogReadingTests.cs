using Launcher.Logs;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>The pure parts of `launcher logs`: durations, file names, incremental reading, colours. No processes.</summary>
[TestFixture]
public sealed class LogReadingTests
{
    [TestCase("90s", 90)]
    [TestCase("10m", 600)]
    [TestCase("1h30m", 5400)]
    [TestCase("2d", 172800)]
    [TestCase("0.5m", 30)]
    public void Since_reads_journalctl_style_durations(string text, double seconds) =>
        Assert.That(SinceDuration.TryParse(text, out _), Is.EqualTo(TimeSpan.FromSeconds(seconds)));

    [TestCase("")]
    [TestCase("10")]
    [TestCase("10x")]
    [TestCase("-5m")]
    [TestCase("m")]
    [TestCase("1 h")]
    [TestCase("99999999d")]
    public void Since_refuses_anything_else_and_says_why(string text)
    {
        var duration = SinceDuration.TryParse(text, out var problem);
        Assert.Multiple(() =>
        {
            Assert.That(duration, Is.Null);
            Assert.That(problem, Does.StartWith($"--since '{text}'"));
        });
    }

    [TestCase("launcher.log", "launcher", 0)]
    [TestCase("launcher_003.log", "launcher", 3)]
    [TestCase("worker_4242.log", "api4242@", 0)]
    [TestCase("worker_4242_001.log", "api4242@", 1)]
    public void A_log_file_name_gives_its_node_and_roll_order(string name, string nodeStart, int sequence)
    {
        var file = LogFileName.TryParse(Path.Combine("/logs", name));
        Assert.Multiple(() =>
        {
            Assert.That(file, Is.Not.Null);
            Assert.That(file!.Node, Does.StartWith(nodeStart));
            Assert.That(file.Sequence, Is.EqualTo(sequence));
        });
    }

    [TestCase("worker_.log")]
    [TestCase("worker_12.txt")]
    [TestCase("launchd.stdout.log")]
    [TestCase("worker_12_1.log")]
    [TestCase("other.log")]
    public void Other_files_in_the_log_directory_are_not_logs_of_a_node(string name) =>
        Assert.That(LogFileName.TryParse(Path.Combine("/logs", name)), Is.Null);

    [Test]
    public void Node_filter_takes_the_full_name_the_part_before_the_at_or_launcher()
    {
        var worker = LogFileName.TryParse("/logs/worker_4242.log")!;
        var launcher = LogFileName.TryParse("/logs/launcher.log")!;
        Assert.Multiple(() =>
        {
            Assert.That(worker.Matches(worker.Node), Is.True);
            Assert.That(worker.Matches("api4242"), Is.True);
            Assert.That(worker.Matches("api424"), Is.False, "a prefix of the pid is another worker");
            Assert.That(launcher.Matches("launcher"), Is.True);
            Assert.That(launcher.Matches("api4242"), Is.False);
        });
    }

    [Test]
    public void A_tail_returns_only_complete_new_lines_and_gives_continuation_lines_their_entry_time()
    {
        var dir = Directory.CreateTempSubdirectory("lt-tail-");
        try
        {
            var path = Path.Combine(dir.FullName, "launcher.log");
            var tail = new LogFileTail(LogFileName.TryParse(path)!);
            File.WriteAllText(path, "2026-11-29 18:00:00.000 +00:00 [ERR] boom\n   at Stack.Frame()\n2026-11-29 18:00:01.000 +00:00 [INF] half");

            var first = tail.ReadNew();
            File.AppendAllText(path, " a line\n");
            var second = tail.ReadNew();
            var third = tail.ReadNew();

            Assert.Multiple(() =>
            {
                Assert.That(first.Select(entry => entry.Text), Is.EqualTo(new[] { "2026-11-29 18:00:00.000 +00:00 [ERR] boom", "   at Stack.Frame()" }));
                Assert.That(first[1].Timestamp, Is.EqualTo(first[0].Timestamp), "the stack line belongs to its entry");
                Assert.That(second.Select(entry => entry.Text), Is.EqualTo(new[] { "2026-11-29 18:00:01.000 +00:00 [INF] half a line" }));
                Assert.That(second[0].Timestamp, Is.EqualTo(new DateTimeOffset(2026, 11, 29, 18, 0, 1, TimeSpan.Zero)));
                Assert.That(third, Is.Empty);
            });
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public void A_directory_reader_merges_files_in_time_order_and_finds_files_added_later()
    {
        var dir = Directory.CreateTempSubdirectory("lt-merge-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "worker_11.log"), "2026-11-29 18:00:01.000 +00:00 out b\n2026-11-29 18:00:03.000 +00:00 out d\n");
            File.WriteAllText(Path.Combine(dir.FullName, "launcher.log"), "2026-11-29 18:00:00.000 +00:00 [INF] a\n2026-11-29 18:00:02.000 +00:00 [INF] c\n");
            File.WriteAllText(Path.Combine(dir.FullName, "notes.log"), "2026-11-29 17:00:00.000 +00:00 not a node's log\n");
            var reader = new LogDirectoryReader(dir.FullName, _ => true);

            var first = reader.ReadNew();
            File.WriteAllText(Path.Combine(dir.FullName, "worker_12.log"), "2026-11-29 18:00:04.000 +00:00 out e\n");
            var second = reader.ReadNew();

            Assert.Multiple(() =>
            {
                Assert.That(first.Select(entry => entry.Text[^1..]), Is.EqualTo(new[] { "a", "b", "c", "d" }));
                Assert.That(second.Select(entry => (entry.Node, entry.Text[^1..])), Is.EqualTo(new[] { (LogFileName.TryParse("/x/worker_12.log")!.Node, "e") }));
            });
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public void A_node_keeps_its_colour_and_the_launcher_is_bold() =>
        Assert.Multiple(() =>
        {
            // A fixed hash, not string.GetHashCode (randomised per process): the same colour in every terminal.
            Assert.That(NodeColours.For("api4242@host"), Is.EqualTo("96"));
            Assert.That(NodeColours.For("launcher"), Is.EqualTo("1"));
            Assert.That(Enumerable.Range(1000, 50).Select(pid => NodeColours.For($"api{pid}@host")).Distinct().Count(), Is.GreaterThan(3), "nodes are spread over the palette");
        });
}
