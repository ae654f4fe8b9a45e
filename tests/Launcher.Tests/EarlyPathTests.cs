using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.Json.Nodes;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 12, part 3: `launcher status` and `ping` in their plain forms run without System.CommandLine's command tree
/// and talk to the launcher with blocking calls (<c>EarlyCommandLine</c>, <c>ControlClient</c>). Putting an option
/// before the verb (<c>launcher --config X status</c>) takes the full parser, so each case here runs both ways and
/// compares: exit code, output and error line must be the same, with no launcher, with a bad config, and with a
/// running launcher (a config that `run` would reject still exits 2 before anything is asked).
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
public sealed class EarlyPathTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(120_000)]
    public async Task With_no_launcher_or_a_bad_config_the_early_path_answers_exactly_as_the_full_parser(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        string[][] commands = [["status"], ["status", "--json"], ["ping"], ["ping", "--json", "--expect", "0"]];

        // Act / Assert: no launcher (discovery; ping without --expect is a mismatch, exit 4)
        foreach (var command in commands)
            await AssertAnsweredAlikeAsync(sandbox, command, cancellationToken);

        // Act / Assert: configs that every command refuses (exit 2, one line naming the key)
        foreach (var spoil in (Action<JsonObject>[])[json => json["instance"] = "x\n", json => json["workers"] = 0, json => json["ping"] = new JsonObject { ["intervall"] = 1 }])
        {
            var json = LauncherConfig.SampleWorkers(1).ToJson(sandbox);
            spoil(json);
            sandbox.WriteConfig(json.ToJsonString());
            foreach (var command in commands)
            {
                var (early, _) = await AssertAnsweredAlikeAsync(sandbox, command, cancellationToken);
                Assert.That(early.ExitCode, Is.EqualTo(2), early.ToString());
            }
        }

        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(180_000)]
    public async Task With_a_running_launcher_the_early_path_answers_as_the_full_parser_and_a_config_run_would_reject_still_exits_2(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        await using var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(2), cancellationToken: cancellationToken);
        var pids = run.Workers.Select(w => w.Pid).Order().ToList();

        // Act
        var (status, fullStatus) = await AssertAnsweredAlikeAsync(sandbox, ["status", "--json"], cancellationToken, compareOutput: false);
        var (ping, fullPing) = await AssertAnsweredAlikeAsync(sandbox, ["ping", "--json"], cancellationToken, compareOutput: false);
        var (table, _) = await AssertAnsweredAlikeAsync(sandbox, ["status"], cancellationToken, compareOutput: false);
        var good = File.ReadAllText(sandbox.ConfigPath);
        var spoiled = JsonNode.Parse(good)!.AsObject();
        spoiled["workers"] = 0;
        sandbox.WriteConfig(spoiled.ToJsonString());
        var (refused, _) = await AssertAnsweredAlikeAsync(sandbox, ["status", "--json"], cancellationToken);
        sandbox.WriteConfig(good);

        // Assert
        using var statusJson = JsonDocument.Parse(status.Stdout);
        using var fullStatusJson = JsonDocument.Parse(fullStatus.Stdout);
        using var pingJson = JsonDocument.Parse(ping.Stdout);
        using var fullPingJson = JsonDocument.Parse(fullPing.Stdout);
        Assert.Multiple(() =>
        {
            Assert.That(status.ExitCode, Is.EqualTo(0), status.ToString());
            Assert.That(Keys(statusJson.RootElement), Is.EqualTo(Keys(fullStatusJson.RootElement)), "the same document, key for key");
            Assert.That(statusJson.RootElement.GetProperty("source").GetString(), Is.EqualTo("launcher"), status.Stdout);
            Assert.That(statusJson.RootElement.GetProperty("workers").EnumerateArray().Select(w => w.GetProperty("pid").GetInt32()).Order(), Is.EqualTo(pids), status.Stdout);
            Assert.That(ping.ExitCode, Is.EqualTo(0), ping.ToString());
            Assert.That(Keys(pingJson.RootElement), Is.EqualTo(Keys(fullPingJson.RootElement)));
            Assert.That(pingJson.RootElement.GetProperty("source").GetString(), Is.EqualTo("launcher"), ping.Stdout);
            Assert.That(pingJson.RootElement.GetProperty("answered").GetInt32(), Is.EqualTo(2), ping.Stdout);
            Assert.That(table.Stdout, Does.Contain($"launcher   pid {run.Process.PidInside}"), table.ToString());
            Assert.That(refused.ExitCode, Is.EqualTo(2), refused.ToString());
            Assert.That(refused.Stderr, Does.Contain("'workers'"), refused.ToString());
            Assert.That(refused.Stdout, Is.Empty, "nothing was asked of the launcher");
        });
        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), run.Output);
        Assert.That(run.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(120_000)]
    public async Task A_launcher_that_has_stopped_answering_makes_status_and_ping_fall_back_to_discovery_after_their_reply_deadlines(CancellationToken cancellationToken)
    {
        // Arrange: the launcher is frozen (SIGSTOP): the kernel still accepts the connection and vouches for it, but
        // no reply comes; the command's blocking read must end by its deadline (status 2 s, ping ping.timeoutSeconds + 2 s).
        await using var sandbox = new Sandbox();
        await using var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(1) with { Ping = new { timeoutSeconds = 1 } }, cancellationToken: cancellationToken);
        var worker = run.Workers.Single();
        run.Process.Signal(Signals.SIGSTOP);
        CliResult status, ping;
        try
        {
            // Act
            status = await LauncherCli.RunAsync(sandbox, ["status", "--json"], Deadline, cancellationToken: cancellationToken);
            ping = await LauncherCli.RunAsync(sandbox, ["ping", "--json"], Deadline, cancellationToken: cancellationToken);
        }
        finally
        {
            run.Process.Signal(Signals.SIGCONT);
        }

        // Assert
        using var statusJson = JsonDocument.Parse(status.Stdout);
        using var pingJson = JsonDocument.Parse(ping.Stdout);
        Assert.Multiple(() =>
        {
            Assert.That(status.ExitCode, Is.EqualTo(0), status.ToString());
            Assert.That(statusJson.RootElement.GetProperty("source").GetString(), Is.EqualTo("discovery"), status.Stdout);
            Assert.That(statusJson.RootElement.GetProperty("workers").EnumerateArray().Select(w => w.GetProperty("pid").GetInt32()), Is.EqualTo(new[] { worker.Pid }), status.Stdout);
            Assert.That(ping.ExitCode, Is.EqualTo(0), ping.ToString());
            Assert.That(pingJson.RootElement.GetProperty("source").GetString(), Is.EqualTo("discovery"), ping.Stdout);
        });
        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), run.Output);
        Assert.That(run.Survivors(), Is.Empty);
    }

    // Runs `command` as given (the early path) and with --config before the verb (the full parser), and compares.
    private static async Task<(CliResult Early, CliResult Full)> AssertAnsweredAlikeAsync(Sandbox sandbox, string[] command, CancellationToken cancellationToken, bool compareOutput = true)
    {
        var early = await LauncherCli.RunAsync(sandbox, [.. command, "--config", sandbox.ConfigPath], Deadline, cancellationToken: cancellationToken);
        var full = await LauncherCli.RunAsync(sandbox, ["--config", sandbox.ConfigPath, .. command], Deadline, cancellationToken: cancellationToken);
        var what = string.Join(' ', command);
        Assert.Multiple(() =>
        {
            Assert.That(early.ExitCode, Is.EqualTo(full.ExitCode), $"{what}: exit code\nearly: {early}\nfull: {full}");
            Assert.That(early.Stderr, Is.EqualTo(full.Stderr), $"{what}: error output");
            if (compareOutput)
                Assert.That(early.Stdout, Is.EqualTo(full.Stdout), $"{what}: output");
        });
        return (early, full);
    }

    private static List<string> Keys(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToList();
}
