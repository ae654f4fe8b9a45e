using System.Text;
using System.Text.Json.Nodes;
using Launcher.Config;
using Launcher.Config.Schema;
using Launcher.Exceptions;
using Launcher.Platform;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 9 (one config schema) and issue 10 (type-check every value, bad input): the reader and the validator as pure
/// functions, in memory. No files, no processes: the machine is an <see cref="InMemoryConfigFileSystem"/>.
/// </summary>
[TestFixture]
public sealed class ConfigSchemaTests
{
    private const string BaseDirectory = "/srv/app";

    /// <summary>(what is wrong, the config, the key the message must name, a fragment of the message).</summary>
    public static IEnumerable<TestCaseData> Malformed()
    {
        static TestCaseData Case(string what, string json, string key, string fragment) =>
            new TestCaseData(json, key, fragment).SetArgDisplayNames(what);

        // Today's process-level cases (ConfigValidationTests), each with its message.
        yield return Case("an unknown top-level key", """{"command": ["./worker"], "bogus": 1}""", "bogus", "unknown key");
        yield return Case("an unknown nested key", """{"command": ["./worker"], "ping": {"intervall": 1}}""", "ping.intervall", "unknown key");
        yield return Case("a missing command", """{"workers": 1}""", "command", "is required");
        yield return Case("an empty command array", """{"command": []}""", "command", "must be the program and its arguments");
        yield return Case("a command given as one string", """{"command": "./worker"}""", "command", "must be an array of strings");
        yield return Case("a command whose program does not exist", """{"command": ["./no-such-worker"]}""", "command[0]", "no such executable file: /srv/app/no-such-worker");
        yield return Case("a command whose program is not executable", """{"command": ["./plain.sh"]}""", "command[0]", "is not executable (chmod +x it)");
        yield return Case("a bare command name found on PATH only without execute permission", """{"command": ["lonely"]}""", "command[0]", "'lonely' was not found on PATH");
        yield return Case("zero workers", """{"command": ["./worker"], "workers": 0}""", "workers", "must be a whole number from 1 to 256 (got 0)");
        yield return Case("a negative number of workers", """{"command": ["./worker"], "workers": -2}""", "workers", "from 1 to 256 (got -2)");
        yield return Case("257 workers", """{"command": ["./worker"], "workers": 257}""", "workers", "from 1 to 256 (got 257)");
        yield return Case("workers as a word", """{"command": ["./worker"], "workers": "three"}""", "workers", "must be a whole number, not the string \"three\"");
        yield return Case("workers as a quoted number", """{"command": ["./worker"], "workers": "3"}""", "workers", "must be a whole number, not the string \"3\"");
        yield return Case("workers as a fraction", """{"command": ["./worker"], "workers": 2.5}""", "workers", "must be a whole number, not the number 2.5");
        yield return Case("a non-positive ping interval", """{"command": ["./worker"], "ping": {"intervalSeconds": 0}}""", "ping.intervalSeconds", "from 0.01 to 86400 (got 0)");
        yield return Case("a ping interval so small it rounds to zero", """{"command": ["./worker"], "ping": {"intervalSeconds": 1e-9}}""", "ping.intervalSeconds", "from 0.01 to 86400");
        yield return Case("a negative restart delay", """{"command": ["./worker"], "restart": {"initialDelaySeconds": -0.5}}""", "restart.initialDelaySeconds", "from 0 to 86400 (got -0.5)");
        yield return Case("a maximum restart delay of zero", """{"command": ["./worker"], "restart": {"maxDelaySeconds": 0}}""", "restart.maxDelaySeconds", "from 0.01 to 86400 (got 0)");
        yield return Case("a stop grace over a day", """{"command": ["./worker"], "stopGraceSeconds": 86401}""", "stopGraceSeconds", "from 0.01 to 86400 (got 86401)");
        yield return Case("an empty environment variable name", """{"command": ["./worker"], "environment": {"": "x"}}""", "environment.", "is not a valid environment variable name");
        yield return Case("an environment variable name with '='", """{"command": ["./worker"], "environment": {"A=B": "x"}}""", "environment.A=B", "is not a valid environment variable name");
        yield return Case("an environment variable name with NUL", """{"command": ["./worker"], "environment": {"A\u0000B": "x"}}""", "environment.A\\0B", "is not a valid environment variable name");
        yield return Case("an instance name ending in .lock", """{"command": ["./worker"], "instance": "api.lock"}""", "instance", "must not end in .lock, .json, .tmp");
        yield return Case("an instance name ending in .json", """{"command": ["./worker"], "instance": "api.json"}""", "instance", "must not end in");
        yield return Case("an instance name ending in .tmp", """{"command": ["./worker"], "instance": "api.TMP"}""", "instance", "must not end in");
        yield return Case("a log directory under a regular file", """{"command": ["./worker"], "logDir": "plain.sh/logs"}""", "logDir", "cannot be created: /srv/app/plain.sh is a file");
        yield return Case("a log directory that is a file", """{"command": ["./worker"], "logDir": "plain.sh"}""", "logDir", "is a file, not a directory");
        yield return Case("a log directory in a read-only directory", """{"command": ["./worker"], "logDir": "/srv/readonly/logs"}""", "logDir", "is not writable");
        yield return Case("invalid JSON", """{ "command": ["./worker"], "workers": 1""", "launcher.json", "is not valid JSON at line 1");
        yield return Case("a JSON array instead of an object", """[1, 2]""", "launcher.json", "must be a JSON object");
        yield return Case("an invalid regex in strays.match", """{"command": ["./worker"], "strays": {"match": ["worker("]}}""", "strays.match[0]", "is not a valid regular expression");
        yield return Case("an unknown placeholder", """{"command": ["./worker", "--name", "{nodename}"]}""", "command[2]", "unknown placeholder {nodename}");
        yield return Case("a count beyond a 32-bit int", """{"command": ["./worker"], "logFilesRetained": 3000000000}""", "logFilesRetained", "must be a positive whole number (got 3000000000)");
        yield return Case("a zero log size limit", """{"command": ["./worker"], "logFileSizeLimitBytes": 0}""", "logFileSizeLimitBytes", "must be a positive whole number (got 0)");
        yield return Case("a key given twice in different case", """{"command": ["./worker"], "workers": 1, "Workers": 2}""", "Workers", "is set twice");
        yield return Case("an empty onWorkerExit section", """{"command": ["./worker"], "onWorkerExit": {}}""", "onWorkerExit.command", "is required when onWorkerExit is set");
        yield return Case("a section given as a number", """{"command": ["./worker"], "ping": 5}""", "ping", "must be an object { ... }, not the number 5");

        // Issue 10 item 1: every value and every list element is type-checked.
        yield return Case("a number in strays.match", """{"command": ["./worker"], "strays": {"match": [5]}}""", "strays.match[0]", "must be a string (quote it), not the number 5");
        yield return Case("strays.match as one string", """{"command": ["./worker"], "strays": {"match": "worker"}}""", "strays.match", "must be an array of strings");
        yield return Case("a number as a command argument", """{"command": ["./worker", "--port", 8080]}""", "command[2]", "must be a string (quote it), not the number 8080");
        yield return Case("a number as the program", """{"command": [5]}""", "command[0]", "must be a string");
        yield return Case("a boolean in ping.command", """{"command": ["./worker"], "ping": {"command": ["./worker", true]}}""", "ping.command[1]", "must be a string, not the boolean true");
        yield return Case("a null in onWorkerExit.command", """{"command": ["./worker"], "onWorkerExit": {"command": ["./worker", null]}}""", "onWorkerExit.command[1]", "must be a string, not null");
        yield return Case("an object in a command", """{"command": ["./worker", {"a": 1}]}""", "command[1]", "must be a string, not an object");
        yield return Case("a number as an environment value", """{"command": ["./worker"], "environment": {"PORT": 8080}}""", "environment.PORT", "must be a string (quote it), not the number 8080");
        yield return Case("a boolean as an environment value", """{"command": ["./worker"], "environment": {"DEBUG": true}}""", "environment.DEBUG", "must be a string");
        yield return Case("restart.enabled as a string", """{"command": ["./worker"], "restart": {"enabled": "yes"}}""", "restart.enabled", "must be true or false");
        yield return Case("an instance given as a number", """{"command": ["./worker"], "instance": 7}""", "instance", "must be a string, not the number 7");

        // Issue 10 item 9: what would fail later, or lose every log, is refused now.
        yield return Case("an instance name ending in a newline", "{\"command\": [\"./worker\"], \"instance\": \"x\\n\"}", "instance", "'x\\n' must be 1-64 characters");
        yield return Case("an empty instance name", """{"command": ["./worker"], "instance": ""}""", "instance", "must be 1-64 characters");
        yield return Case("a log directory under /proc", """{"command": ["./worker"], "logDir": "/proc/self/logs"}""", "logDir", "is on proc, a kernel pseudo file system");
        yield return Case("a log directory that is /sys", """{"command": ["./worker"], "logDir": "/sys"}""", "logDir", "is on sysfs");
        yield return Case("a log directory under /dev", """{"command": ["./worker"], "logDir": "/dev/logs"}""", "logDir", "is on devtmpfs");
        yield return Case("a command argument over 128 KiB", $$"""{"command": ["./worker", "{{new string('a', 131_072)}}"]}""", "command[1]", "is 131073 bytes long; the kernel refuses an argument over 131072 bytes");
        yield return Case("a command argument that {node} pushes over 128 KiB", $$"""{"command": ["./worker", "{{new string('a', 131_000)}}{node}"]}""", "command[1]", "the kernel refuses an argument over 131072 bytes");
        yield return Case("a ping argument over 128 KiB", $$$"""{"command": ["./worker"], "ping": {"command": ["./worker", "{{{new string('a', 200_000)}}}"]}}""", "ping.command[1]", "MAX_ARG_STRLEN");
        yield return Case("an environment value over 128 KiB", $$$"""{"command": ["./worker"], "environment": {"BIG": "{{{new string('a', 131_070)}}}"}}""", "environment.BIG", "the kernel refuses a variable over 131072 bytes");
        yield return Case("command arguments together over 1 MiB", $$$"""{"command": ["./worker", {{{string.Join(", ", Enumerable.Repeat($"\"{new string('a', 100_000)}\"", 11))}}}]}""", "command", "and environment together take");
        yield return Case("an environment that leaves no room for the command", $$$"""{"command": ["./worker"], "environment": {{{{string.Join(", ", Enumerable.Range(0, 11).Select(i => $"\"V{i}\": \"{new string('a', 100_000)}\""))}}}}}""", "command", "and environment together take");
        yield return Case("a NUL inside a command argument", """{"command": ["./worker", "a\u0000b"]}""", "command[1]", "contains a NUL character");
        yield return Case("a NUL inside an environment value", """{"command": ["./worker"], "environment": {"A": "a\u0000b"}}""", "environment.A", "contains a NUL character");
    }

    [TestCaseSource(nameof(Malformed))]
    public void A_malformed_config_is_refused_naming_the_key_in_one_line(string json, string key, string fragment)
    {
        // Act
        var error = Assert.Throws<ConfigException>(() => Validate(json));

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(error!.Key, Is.EqualTo(key));
            Assert.That(error.Message, Does.StartWith($"'{key}': "));
            Assert.That(error.Message, Does.Contain(fragment));
            Assert.That(error.Message, Does.Not.Contain("\n"), "one line");
            Assert.That(error.Message, Has.Length.LessThan(1000), "a long value is abbreviated, never quoted whole");
            Assert.That(error.ExitCode, Is.EqualTo(2));
        });
    }

    [Test]
    public void An_initial_restart_delay_of_zero_is_accepted_for_an_immediate_first_restart()
    {
        // Act
        var spec = Validate("""{"command": ["./worker"], "restart": {"initialDelaySeconds": 0}}""");

        // Assert
        Assert.That(spec.Restart.InitialDelay, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void A_config_with_only_a_command_gets_every_default_from_the_schema()
    {
        // Act
        var spec = Validate("""{"command": ["./worker"]}""");

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(spec.Instance, Is.EqualTo(ConfigSchema.Instance.Default).And.EqualTo("default"));
            Assert.That(spec.Command.Arguments, Is.EqualTo(new[] { "/srv/app/worker" }));
            Assert.That(spec.WorkingDirectory, Is.EqualTo(BaseDirectory));
            Assert.That(spec.Environment, Is.Empty);
            Assert.That(spec.Workers, Is.EqualTo(1));
            Assert.That(spec.LogDir, Is.EqualTo("/srv/app/logs"));
            Assert.That(spec.StartTimeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(spec.StopGrace, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(spec.LogFileSizeLimitBytes, Is.EqualTo(10 * 1024 * 1024));
            Assert.That(spec.LogFilesRetained, Is.EqualTo(5));
            Assert.That(spec.Ping, Is.EqualTo(new PingSpec(null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), 3)));
            Assert.That(spec.Restart, Is.EqualTo(new RestartSpec(true, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30), 5, TimeSpan.FromSeconds(120))));
            Assert.That(spec.StrayPatterns, Is.Empty);
            Assert.That(spec.OnWorkerExit, Is.Null);
        });
    }

    [Test]
    public void Every_key_set_reaches_the_spec()
    {
        // Arrange
        const string Json = """
            {
              // comments and trailing commas are fine
              "$schema": "x", "comment": {"any": ["thing"]},
              "instance": "api", "command": ["python3", "-m", "worker", "{node}"], "workingDirectory": "/srv",
              "environment": {"QUEUE": "q", "UNSET": null}, "workers": 256, "logDir": "/var/log/api",
              "startTimeoutSeconds": 0.5, "stopGraceSeconds": 2, "logFileSizeLimitBytes": 5000000000, "logFilesRetained": 2,
              "ping": {"command": ["./worker", "--ping", "{node}"], "intervalSeconds": 7, "timeoutSeconds": 3, "missedLimit": 4},
              "restart": {"enabled": false, "initialDelaySeconds": 2, "maxDelaySeconds": 20, "resetAfterSeconds": 9, "crashLoopCount": 8, "crashLoopWindowSeconds": 99},
              "strays": {"match": ["\\bworker\\b"]},
              "onWorkerExit": {"command": ["./worker", "--gone"], "timeoutSeconds": 4},
            }
            """;

        // Act
        var spec = Validate(Json, Machine().Directory("/var/log"));

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(spec.Instance, Is.EqualTo("api"));
            Assert.That(spec.Command.Arguments, Is.EqualTo(new[] { "/usr/bin/python3", "-m", "worker", "{node}" }), "a bare name resolved on PATH, placeholders kept");
            Assert.That(spec.WorkingDirectory, Is.EqualTo("/srv"));
            Assert.That(spec.Environment, Is.EqualTo(new Dictionary<string, string> { ["QUEUE"] = "q" }), "null means not set");
            Assert.That(spec.Workers, Is.EqualTo(256));
            Assert.That(spec.LogDir, Is.EqualTo("/var/log/api"));
            Assert.That(spec.StartTimeout, Is.EqualTo(TimeSpan.FromSeconds(0.5)));
            Assert.That(spec.StopGrace, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(spec.LogFileSizeLimitBytes, Is.EqualTo(5_000_000_000), "a 64-bit value");
            Assert.That(spec.LogFilesRetained, Is.EqualTo(2));
            Assert.That(spec.Ping.Command!.Arguments, Is.EqualTo(new[] { "/srv/app/worker", "--ping", "{node}" }));
            Assert.That(spec.Ping with { Command = null }, Is.EqualTo(new PingSpec(null, TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(3), 4)));
            Assert.That(spec.Restart, Is.EqualTo(new RestartSpec(false, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(9), 8, TimeSpan.FromSeconds(99))));
            Assert.That(spec.StrayPatterns.Select(p => p.ToString()), Is.EqualTo(new[] { "\\bworker\\b" }));
            Assert.That(spec.OnWorkerExit!.Command.Arguments, Is.EqualTo(new[] { "/srv/app/worker", "--gone" }));
            Assert.That(spec.OnWorkerExit.Timeout, Is.EqualTo(TimeSpan.FromSeconds(4)));
        });
    }

    [Test]
    public void Keys_match_whatever_their_case_and_null_means_the_default()
    {
        // Act
        var spec = Validate("""{"COMMAND": ["./worker"], "Workers": 3, "PING": {"IntervalSeconds": 2}, "logDir": null, "restart": null}""");

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(spec.Workers, Is.EqualTo(3));
            Assert.That(spec.Ping.Interval, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(spec.LogDir, Is.EqualTo("/srv/app/logs"));
            Assert.That(spec.Restart.Enabled, Is.True);
        });
    }

    [Test]
    public void A_bare_program_name_skips_PATH_entries_without_execute_permission_as_execvp_does()
    {
        // Arrange
        var machine = Machine().File("/opt/a/tool").File("/opt/b/tool", executable: true);
        machine.SearchPath = "/opt/a:/opt/b";

        // Act
        var spec = Validate("""{"command": ["tool"]}""", machine);

        // Assert
        Assert.That(spec.Command.Program, Is.EqualTo("/opt/b/tool"));
    }

    [Test]
    public void The_read_only_load_accepts_a_worker_program_that_is_gone_and_a_log_directory_that_cannot_be_made()
    {
        // Arrange: a clean rebuild removed the worker binary while a launcher runs.
        const string Json = """{"command": ["./gone", "--x"], "logDir": "/proc/logs", "workingDirectory": "/nowhere"}""";

        // Act
        var spec = Validate(Json, Machine(), checkFileSystem: false);

        // Assert
        Assert.That(spec.Command.Arguments, Is.EqualTo(new[] { "/srv/app/gone", "--x" }));
        Assert.Throws<ConfigException>(() => Validate(Json, Machine()), "the full load still refuses it");
    }

    [Test]
    public void A_command_argument_just_under_128_KiB_is_accepted()
    {
        // Arrange: 131071 bytes and the NUL make MAX_ARG_STRLEN exactly.
        var argument = new string('a', 131_071);

        // Act
        var spec = Validate($$"""{"command": ["./worker", "{{argument}}"]}""");

        // Assert
        Assert.That(spec.Command.Arguments[1], Has.Length.EqualTo(131_071));
    }

    [Test]
    public void The_embedded_default_config_is_valid()
    {
        // Arrange
        using var stream = typeof(ConfigLoader).Assembly.GetManifestResourceStream("default-launcher.json")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);

        // Act
        var values = ConfigReader.Read(copy.ToArray(), "default config");

        // Assert
        Assert.That(values.Get(ConfigSchema.Instance), Is.EqualTo("sample"));
        Assert.That(values.Get(ConfigSchema.Command), Is.EqualTo(new[] { "{launcherDir}/SampleWorker" }));
    }

    [Test]
    public void Every_schema_key_has_one_path_and_every_section_is_an_object_of_keys()
    {
        // Arrange
        var paths = ConfigSchema.All.Select(k => k.Path).ToList();

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(paths, Is.Unique);
            Assert.That(paths.Select(p => p.ToUpperInvariant()), Is.Unique, "keys match case-insensitively");
            Assert.That(paths, Does.Contain("strays.match").And.Contain("ping.command").And.Contain("onWorkerExit.timeoutSeconds"));
            foreach (var section in paths.Where(p => p.Contains('.', StringComparison.Ordinal)).Select(p => p[..p.IndexOf('.', StringComparison.Ordinal)]))
                Assert.That(paths, Does.Not.Contain(section), $"{section} is a section, not a value");
        });
    }

    [Test]
    public void Every_key_of_the_README_config_table_is_in_the_schema_and_every_schema_key_is_documented()
    {
        // Arrange: the rows of README.md "Configuration" name keys in backticks in their first cell.
        var readme = File.ReadAllText(Path.Combine(Support.Repo.Root, "README.md"));
        var table = readme[readme.IndexOf("| key | default | meaning |", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n\n", StringComparison.Ordinal)];
        var documented = table.Split('\n').Skip(2)
            .SelectMany(row => row.Split('|')[1].Split(',').Select(cell => cell.Trim().Trim('`')))
            .ToHashSet(StringComparer.Ordinal);
        var schema = ConfigSchema.All.Select(k => k.Path).Where(p => p is not "$schema" and not "comment").ToHashSet(StringComparer.Ordinal);

        // Assert
        Assert.That(documented, Is.EquivalentTo(schema));
    }

    private static InMemoryConfigFileSystem Machine() => new InMemoryConfigFileSystem()
        .Directory(BaseDirectory)
        .Directory("/srv/readonly", writable: false)
        .File("/srv/app/worker", executable: true)
        .File("/srv/app/plain.sh")
        .File("/usr/bin/python3", executable: true)
        .File("/usr/bin/lonely")
        .PseudoMount("/proc", "proc")
        .PseudoMount("/sys", "sysfs")
        .PseudoMount("/dev", "devtmpfs");

    private static LauncherSpec Validate(string json, InMemoryConfigFileSystem? machine = null, bool checkFileSystem = true)
    {
        var values = ConfigReader.Read(Encoding.UTF8.GetBytes(json), "launcher.json");
        return ConfigValidator.Validate(values, BaseDirectory, "test config", machine ?? Machine(), checkFileSystem);
    }
}
