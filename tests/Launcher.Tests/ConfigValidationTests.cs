using System.Text.Json.Nodes;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 2, config validation: every malformed config or command line gives exit 2 and one line naming the key,
/// before anything is created, started or killed.
/// </summary>
[TestFixture]
public sealed class ConfigValidationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>What is wrong, for the test names; the cases themselves are in <see cref="Cases"/>.</summary>
    public static IEnumerable<string> MalformedCases() => Cases().Select(c => c.What);

    /// <summary>(what is wrong, how to make the sandbox's config and command line, what the message must name).</summary>
    private static IEnumerable<(string What, Func<Sandbox, string[]> Arrange, string Named)> Cases()
    {
        yield return Case("an unknown top-level key", sandbox => Config(sandbox, json => json["bogus"] = 1), "'bogus'");
        yield return Case("an unknown nested key", sandbox => Config(sandbox, json => json["ping"] = new JsonObject { ["intervall"] = 1 }), "'ping.intervall'");
        yield return Case("a missing command", sandbox => Config(sandbox, json => json.Remove("command")), "'command'");
        yield return Case("an empty command array", sandbox => Config(sandbox, json => json["command"] = new JsonArray()), "'command'");
        yield return Case("a command given as one string", sandbox => Config(sandbox, json => json["command"] = Repo.SampleWorkerExe), "'command'");
        yield return Case("a command whose program does not exist", sandbox => Config(sandbox, json => json["command"] = new JsonArray("./no-such-worker")), "'command[0]'");
        yield return Case("zero workers", sandbox => Config(sandbox, json => json["workers"] = 0), "'workers'");
        yield return Case("a negative number of workers", sandbox => Config(sandbox, json => json["workers"] = -2), "'workers'");
        yield return Case("workers as a word", sandbox => Config(sandbox, json => json["workers"] = "three"), "'workers'");
        yield return Case("workers as a quoted number", sandbox => Config(sandbox, json => json["workers"] = "3"), "'workers'");
        yield return Case("a non-positive ping interval", sandbox => Config(sandbox, json => json["ping"] = new JsonObject { ["intervalSeconds"] = 0 }), "'ping.intervalSeconds'");
        yield return Case("a log directory under a regular file", sandbox =>
        {
            File.WriteAllText(Path.Combine(sandbox.Dir, "plain-file"), "not a directory");
            return Config(sandbox, json => json["logDir"] = "plain-file/logs");
        }, "'logDir'");
        yield return Case("invalid JSON", sandbox =>
        {
            sandbox.WriteConfig("{ \"instance\": \"" + sandbox.Instance + "\", \"workers\": 1");
            return ["run", "--config", sandbox.ConfigPath];
        }, "'launcher.json': is not valid JSON");
        yield return Case("an invalid regex in strays.match", sandbox => Config(sandbox, json => json["strays"] = new JsonObject { ["match"] = new JsonArray("worker(") }), "'strays.match[0]'");
        yield return Case("an unknown placeholder", sandbox => Config(sandbox, json => json["command"] = new JsonArray(Repo.SampleWorkerExe, "--name", "{nodename}")), "'command[2]'");
        yield return Case("--config naming a missing file", sandbox => ["run", "--config", Path.Combine(sandbox.Dir, "missing.json")], "'--config'");
        yield return Case("an unknown command-line option", sandbox =>
        {
            Config(sandbox, _ => { });
            return ["run", "--frobnicate"];
        }, "'--frobnicate'");
    }

    [TestCaseSource(nameof(MalformedCases)), CancelAfter(60_000)]
    public async Task A_malformed_config_exits_2_with_one_line_naming_the_key_and_starts_nothing(string malformed, CancellationToken cancellationToken)
    {
        // Arrange
        var (_, arrange, named) = Cases().Single(c => c.What == malformed);
        await using var sandbox = new Sandbox();
        var args = arrange(sandbox);

        // Act
        var result = await LauncherCli.RunAsync(sandbox, args, Deadline, cancellationToken: cancellationToken);

        // Assert
        var errorLines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(errorLines, Has.Length.EqualTo(1), "one line: " + result.Stderr);
            Assert.That(result.Stderr, Does.Contain(named));
            Assert.That(result.Stderr, Does.Not.Contain("   at "), "no stack trace");
            Assert.That(result.Stdout, Is.Empty, "nothing logged: nothing started");
            Assert.That(Directory.EnumerateFileSystemEntries(sandbox.RuntimeDir), Is.Empty, "no lock file, no registry");
            Assert.That(Directory.Exists(sandbox.LogDir), Is.False, "no log directory");
            Assert.That(sandbox.Survivors(), Is.Empty, "no process");
        });
    }

    private static (string, Func<Sandbox, string[]>, string) Case(string what, Func<Sandbox, string[]> arrange, string named) => (what, arrange, named);

    /// <summary>A valid config (one SampleWorker, logs in <c>logs/</c>) changed by <paramref name="spoil"/>; returns the run arguments.</summary>
    private static string[] Config(Sandbox sandbox, Action<JsonObject> spoil)
    {
        var json = new JsonObject
        {
            ["instance"] = sandbox.Instance,
            ["command"] = new JsonArray(Repo.SampleWorkerExe, "--tick-seconds", "1"),
            ["workers"] = 1,
            ["logDir"] = "logs",
        };
        spoil(json);
        sandbox.WriteConfig(json);
        return ["run", "--config", sandbox.ConfigPath];
    }
}
