using Launcher.Census;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>Issue 11: the census output format (docs/PROTOCOL.md, "Census"), read as a pure function.</summary>
[TestFixture]
public sealed class CensusOutputTests
{
    [Test]
    public void Bare_names_and_json_lines_mix_and_empty_lines_are_ignored()
    {
        // Arrange
        const string Output = "api12@web-1\n\n  \r\n{\"node\":\"celery@web-2\",\"pid\":77,\"heartbeat\":\"2026-11-29T21:00:00Z\",\"queues\":[\"default\",\"mail\"],\"extra\":1}\r\n{\"node\":\"w3\",\"host\":\"web-3\"}\n";

        // Act
        var parsed = CensusOutput.Parse(Output);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(parsed.Problem, Is.Null);
            Assert.That(parsed.Entries.Select(e => e.Node), Is.EqualTo(new[] { "api12@web-1", "celery@web-2", "w3" }));
            Assert.That(parsed.Entries[0].EffectiveHost, Is.EqualTo("web-1"), "host defaults to the part after @");
            Assert.That(parsed.Entries[0].Pid, Is.Null);
            Assert.That(parsed.Entries[1].Pid, Is.EqualTo(77));
            Assert.That(parsed.Entries[1].EffectiveHost, Is.EqualTo("web-2"));
            Assert.That(parsed.Entries[1].Heartbeat, Is.EqualTo(new DateTimeOffset(2026, 11, 29, 21, 0, 0, TimeSpan.Zero)));
            Assert.That(parsed.Entries[1].Queues, Is.EqualTo(new[] { "default", "mail" }));
            Assert.That(parsed.Entries[2].EffectiveHost, Is.EqualTo("web-3"), "an explicit host wins");
        });
    }

    [Test]
    public void Nothing_listed_is_an_empty_census_not_a_failure()
    {
        var parsed = CensusOutput.Parse("\n\n");

        Assert.Multiple(() =>
        {
            Assert.That(parsed.Ok, Is.True);
            Assert.That(parsed.Entries, Is.Empty);
        });
    }

    [Test]
    public void A_heartbeat_in_unix_seconds_or_without_an_offset_is_utc()
    {
        var parsed = CensusOutput.Parse("{\"node\":\"a@h\",\"heartbeat\":1796072400}\n{\"node\":\"b@h\",\"heartbeat\":\"2026-11-29T21:00:00\"}");

        Assert.Multiple(() =>
        {
            Assert.That(parsed.Problem, Is.Null);
            Assert.That(parsed.Entries[0].Heartbeat, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1796072400)));
            Assert.That(parsed.Entries[1].Heartbeat, Is.EqualTo(new DateTimeOffset(2026, 11, 29, 21, 0, 0, TimeSpan.Zero)));
        });
    }

    [Test]
    public void The_same_consumer_printed_twice_counts_once_but_the_same_name_with_another_pid_twice()
    {
        var parsed = CensusOutput.Parse("{\"node\":\"a@h\",\"pid\":5}\n{\"node\":\"a@h\",\"pid\":5}\n{\"node\":\"a@h\",\"pid\":6}\n");

        Assert.That(parsed.Entries.Select(e => e.Pid), Is.EqualTo(new int?[] { 5, 6 }));
    }

    public static IEnumerable<TestCaseData> Garbage()
    {
        static TestCaseData Case(string what, string output, string fragment) => new TestCaseData(output, fragment).SetArgDisplayNames(what);
        yield return Case("a Python traceback", "api1@h\nTraceback (most recent call last):\n", "line 2 is neither a node name (name@host) nor a JSON object: 'Traceback (most recent call last):'");
        yield return Case("an HTML page", "<html><body>502</body></html>", "line 1 is neither");
        yield return Case("a word without a host", "ERROR", "line 1 is neither");
        yield return Case("broken JSON", "{\"node\": \"a@h\"", "line 1 is not a JSON object with a \"node\" string");
        yield return Case("JSON without a node", "{\"pid\": 5}", "line 1 is not a JSON object with a \"node\" string");
        yield return Case("a node that is a number", "{\"node\": 5}", "not a JSON object with a \"node\" string");
        yield return Case("a pid as a string", "{\"node\": \"a@h\", \"pid\": \"5\"}", "\"pid\" must be a positive whole number");
        yield return Case("a negative pid", "{\"node\": \"a@h\", \"pid\": -5}", "\"pid\" must be a positive whole number");
        yield return Case("a heartbeat that is not a time", "{\"node\": \"a@h\", \"heartbeat\": \"yesterday\"}", "\"heartbeat\" must be an ISO 8601 time");
        yield return Case("queues as a string", "{\"node\": \"a@h\", \"queues\": \"default\"}", "\"queues\" must be an array of strings");
        yield return Case("a node with a space", "{\"node\": \"a b@h\"}", "\"node\" must be a name without spaces");
        yield return Case("an escape sequence", "\u001b[31mapi1@h\u001b[0m", "line 1 is neither");
    }

    [TestCaseSource(nameof(Garbage))]
    public void Any_line_that_is_neither_a_name_nor_a_json_node_fails_the_whole_census_naming_the_line(string output, string fragment)
    {
        var parsed = CensusOutput.Parse(output);

        Assert.Multiple(() =>
        {
            Assert.That(parsed.Ok, Is.False);
            Assert.That(parsed.Entries, Is.Empty, "half a census is no census");
            Assert.That(parsed.Problem, Does.Contain(fragment));
            Assert.That(parsed.Problem, Does.Not.Contain("\n"));
        });
    }

    [Test]
    public void A_long_garbage_line_is_quoted_cut()
    {
        var parsed = CensusOutput.Parse(new string('x', 10_000) + " y");

        Assert.That(parsed.Problem, Has.Length.LessThan(200));
    }
}
