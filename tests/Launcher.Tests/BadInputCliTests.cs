using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10 items 1 and 9, through the built launcher: input that used to end in a stack trace, a hang, lost logs
/// or a number taken for a kill pattern is one line naming the key or argument, exit 2, and nothing touched.
/// The rules themselves are unit-tested in memory in <see cref="ConfigSchemaTests"/>.
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
public sealed class BadInputCliTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>What is wrong, for the test names; the cases themselves are in <see cref="Cases"/>.</summary>
    public static IEnumerable<string> BadInputs() => Cases().Select(c => c.What);

    private static IEnumerable<(string What, Func<Sandbox, string[]> Arrange, string Named)> Cases()
    {
        yield return ("an empty --config", _ => ["run", "--config", ""], "'--config': is empty");
        yield return ("--config naming /dev/zero", _ => ["status", "--config", "/dev/zero"], "'--config': /dev/zero is not a regular file");
        yield return ("--config naming a FIFO", sandbox =>
        {
            var fifo = Path.Combine(sandbox.Dir, "launcher.fifo");
            using (var mkfifo = Process.Start("mkfifo", [fifo]))
                mkfifo.WaitForExit();
            return ["run", "--config", fifo];
        }, "is not a regular file");
        yield return ("--config naming a 2 MiB file", sandbox =>
        {
            Config(sandbox, json => json["comment"] = new string('x', 2 * 1024 * 1024));
            return ["run", "--config", sandbox.ConfigPath];
        }, "a launcher.json may be at most 1048576 bytes");
        yield return ("--config with a path longer than PATH_MAX", sandbox => ["run", "--config", Path.Combine(sandbox.Dir, new string('d', 5000), "launcher.json")], "'--config': is longer than 4095 bytes");
        yield return ("a command argument over 128 KiB", sandbox => Config(sandbox, json => json["command"] = new JsonArray(Repo.SampleWorkerExe, new string('a', 140_000))), "'command[1]'");
        yield return ("an instance name ending in a newline", sandbox =>
        {
            Config(sandbox, json => json["instance"] = "x\n");
            return ["status", "--config", sandbox.ConfigPath];
        }, "'instance'");
        yield return ("logDir under /proc", sandbox => Config(sandbox, json => json["logDir"] = "/proc/self"), "'logDir': /proc/self is on proc");
        yield return ("logDir under /sys", sandbox => Config(sandbox, json => json["logDir"] = "/sys/kernel/launcher-logs"), "'logDir'");
        yield return ("a number in strays.match", sandbox =>
        {
            // Listing only (never --kill): on code that takes 5 for a regex, this must not kill anything.
            Config(sandbox, json => json["strays"] = new JsonObject { ["match"] = new JsonArray(5) });
            return ["strays", "--config", sandbox.ConfigPath];
        }, "'strays.match[0]': must be a string");
        yield return ("a number in ping.command", sandbox => Config(sandbox, json => json["ping"] = new JsonObject { ["command"] = new JsonArray("/bin/true", 1) }), "'ping.command[1]'");
        yield return ("--standby without Redis coordination", sandbox =>
        {
            Config(sandbox, _ => { });
            return ["run", "--standby", "--config", sandbox.ConfigPath];
        }, "'--standby': needs coordination.kind redis");
        yield return ("a number as an environment value", sandbox => Config(sandbox, json => json["environment"] = new JsonObject { ["PORT"] = 8080 }), "'environment.PORT'");
    }

    [TestCaseSource(nameof(BadInputs)), CancelAfter(60_000)]
    public async Task Bad_input_exits_2_with_one_line_naming_the_key_or_argument_and_touches_nothing(string badInput, CancellationToken cancellationToken)
    {
        // Arrange
        var (_, arrange, named) = Cases().Single(c => c.What == badInput);
        await using var sandbox = new Sandbox();
        var args = arrange(sandbox);

        // Act
        var result = await LauncherCli.RunAsync(sandbox, args, Deadline, cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString()[..Math.Min(2000, result.ToString().Length)]);
            Assert.That(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), "one line");
            Assert.That(result.Stderr, Does.Contain(named));
            Assert.That(result.Stderr, Does.Not.Contain("   at "), "no stack trace");
            Assert.That(result.Stderr, Has.Length.LessThan(6000), "the message does not quote a huge value");
            Assert.That(result.Stdout, Is.Empty, "nothing logged: nothing started");
            Assert.That(Directory.EnumerateFileSystemEntries(sandbox.RuntimeDir), Is.Empty, "no lock file, no registry");
            Assert.That(Directory.Exists(sandbox.LogDir), Is.False, "no log directory");
            Assert.That(sandbox.Survivors(), Is.Empty, "no process");
        });
    }

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
        sandbox.WriteConfig(json.ToJsonString());
        return ["run", "--config", sandbox.ConfigPath];
    }
}
