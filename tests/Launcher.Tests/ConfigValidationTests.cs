using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 2, config validation: every malformed config or command line gives exit 2 and one line naming the key,
/// before anything is created, started or killed.
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
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
        yield return Case("a command whose program is not executable", sandbox =>
        {
            var script = Path.Combine(sandbox.Dir, "not-executable.sh");
            File.WriteAllText(script, "#!/bin/sh\nexit 0\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return Config(sandbox, json => json["command"] = new JsonArray("./not-executable.sh"));
        }, "'command[0]'");
        yield return Case("a ping interval so small it rounds to zero", sandbox => Config(sandbox, json => json["ping"] = new JsonObject { ["intervalSeconds"] = 1e-9 }), "'ping.intervalSeconds'");
        yield return Case("a negative restart delay", sandbox => Config(sandbox, json => json["restart"] = new JsonObject { ["initialDelaySeconds"] = -0.001 }), "'restart.initialDelaySeconds'");
        yield return Case("an empty environment variable name", sandbox => Config(sandbox, json => json["environment"] = new JsonObject { [""] = "x" }), "'environment.'");
        yield return Case("an environment variable name with '='", sandbox => Config(sandbox, json => json["environment"] = new JsonObject { ["A=B"] = "x" }), "'environment.A=B'");
        yield return Case("an environment variable name with NUL", sandbox => Config(sandbox, json => json["environment"] = new JsonObject { ["A\0B"] = "x" }), "'environment.A\\0B'");
        yield return Case("an instance name ending in .lock", sandbox => Config(sandbox, json => json["instance"] = sandbox.Instance + ".lock"), "'instance'");
        yield return Case("an instance name ending in .json", sandbox => Config(sandbox, json => json["instance"] = sandbox.Instance + ".json"), "'instance'");
        yield return Case("an instance name ending in .tmp", sandbox => Config(sandbox, json => json["instance"] = sandbox.Instance + ".tmp"), "'instance'");
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

    [Test, CancelAfter(60_000)]
    public async Task A_bare_command_name_whose_only_match_on_PATH_is_not_executable_exits_2_naming_command_0(CancellationToken cancellationToken)
    {
        // Arrange: as execvp does, a non-executable file on PATH is passed over; here there is no other match.
        await using var sandbox = new Sandbox();
        var bin = Directory.CreateDirectory(Path.Combine(sandbox.Dir, "bin")).FullName;
        var program = Path.Combine(bin, "lonely-worker-" + sandbox.Instance);
        File.WriteAllText(program, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var args = Config(sandbox, json => json["command"] = new JsonArray(Path.GetFileName(program)));

        // Act
        var result = await LauncherCli.RunAsync(
            sandbox, args, Deadline, environment: new Dictionary<string, string?> { ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH") }, cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.Stderr, Does.Contain("'command[0]'"));
            Assert.That(Directory.EnumerateFileSystemEntries(sandbox.RuntimeDir), Is.Empty, "nothing started");
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
