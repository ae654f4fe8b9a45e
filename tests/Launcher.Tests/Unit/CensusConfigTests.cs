using System.Text;
using Launcher.Census;
using Launcher.Config;
using Launcher.Config.Schema;
using Launcher.Exceptions;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>Issue 11: the <c>census</c> keys, read and refused in memory.</summary>
[TestFixture]
public sealed class CensusConfigTests
{
    private const string BaseDirectory = "/srv/app";

    [Test]
    public void Without_a_census_section_there_is_no_census()
    {
        Assert.That(Validate("""{"command": ["./worker"]}""").Census, Is.Null);
    }

    [Test]
    public void A_census_command_alone_gets_scope_host_30_s_interval_and_10_s_timeout()
    {
        var census = Validate("""{"command": ["./worker"], "census": {"command": ["./census", "{host}", "{instance}", "{configDir}"]}}""").Census!;

        Assert.Multiple(() =>
        {
            Assert.That(census.Command.Arguments, Is.EqualTo(new[] { "/srv/app/census", "{host}", "{instance}", "{configDir}" }));
            Assert.That(census.Scope, Is.EqualTo(CensusScope.Host));
            Assert.That(census.Interval, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(census.Timeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
        });
    }

    [Test]
    public void Every_census_key_reaches_the_spec()
    {
        var census = Validate("""{"command": ["./worker"], "census": {"command": ["./census"], "scope": "all", "intervalSeconds": 2.5, "timeoutSeconds": 4}}""").Census!;

        Assert.That(census with { Command = census.Command }, Is.EqualTo(new CensusSpec(census.Command, CensusScope.All, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(4))));
    }

    public static IEnumerable<TestCaseData> Malformed()
    {
        static TestCaseData Case(string what, string census, string key, string fragment) =>
            new TestCaseData("""{"command": ["./worker"], "census": """ + census + "}", key, fragment).SetArgDisplayNames(what);
        yield return Case("a census section without a command", """{"scope": "all"}""", "census.command", "is required when census is set");
        yield return Case("an empty census section", "{}", "census.command", "is required when census is set");
        yield return Case("a census command as one string", """{"command": "./census"}""", "census.command", "must be an array of strings");
        yield return Case("a census program that does not exist", """{"command": ["./nope"]}""", "census.command[0]", "no such executable file: /srv/app/nope");
        yield return Case("{node} in the census command", """{"command": ["./census", "{node}"]}""", "census.command[1]", "{node} names one worker, but a census lists every node");
        yield return Case("{pid} in the census command", """{"command": ["./census", "--pid={pid}"]}""", "census.command[1]", "{pid} names one worker");
        yield return Case("an unknown placeholder", """{"command": ["./census", "{queue}"]}""", "census.command[1]", "unknown placeholder {queue}");
        yield return Case("an unknown scope", """{"command": ["./census"], "scope": "cluster"}""", "census.scope", "must be \"host\" (nodes of this host, the default) or \"all\" (every node on the queue), not 'cluster'");
        yield return Case("a scope in capitals", """{"command": ["./census"], "scope": "ALL"}""", "census.scope", "not 'ALL'");
        yield return Case("a zero interval", """{"command": ["./census"], "intervalSeconds": 0}""", "census.intervalSeconds", "from 0.01 to 86400 (got 0)");
        yield return Case("a timeout as a string", """{"command": ["./census"], "timeoutSeconds": "10"}""", "census.timeoutSeconds", "must be a number");
        yield return Case("an unknown census key", """{"command": ["./census"], "scopes": "all"}""", "census.scopes", "unknown key");
    }

    [TestCaseSource(nameof(Malformed))]
    public void A_bad_census_key_is_refused_naming_it_in_one_line(string json, string key, string fragment)
    {
        var error = Assert.Throws<ConfigException>(() => Validate(json));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Key, Is.EqualTo(key));
            Assert.That(error.Message, Does.Contain(fragment));
            Assert.That(error.Message, Does.Not.Contain("\n"));
            Assert.That(error.ExitCode, Is.EqualTo(2));
        });
    }

    private static LauncherSpec Validate(string json)
    {
        var machine = new InMemoryConfigFileSystem()
            .Directory(BaseDirectory)
            .File("/srv/app/worker", executable: true)
            .File("/srv/app/census", executable: true);
        var values = ConfigReader.Read(Encoding.UTF8.GetBytes(json), "launcher.json");
        return ConfigValidator.Validate(values, BaseDirectory, "test config", machine, checkFileSystem: true);
    }
}
