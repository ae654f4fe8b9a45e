using System.Text.Json;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 9, one effective spec: what `launcher run` decided (one worker under --debug) is what `launcher ping` and
/// `launcher status` expect, because the running launcher publishes it. Before, ping expected the config's 3 and
/// exited 4 beside a healthy debug session.
/// </summary>
[TestFixture]
public sealed class DebugRunExpectationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(60_000)]
    public async Task Ping_and_status_expect_the_one_worker_a_debug_run_keeps_although_the_config_says_three(CancellationToken cancellationToken)
    {
        // Arrange: three workers configured, one run under --debug.
        await using var sandbox = new Sandbox();
        var config = LauncherConfig.SampleWorkers(3) with { StopGraceSeconds = 2 };
        await using var run = await LauncherRun.StartAsync(sandbox, config, args: ["--debug"], cancellationToken: cancellationToken);
        var pid = run.Workers.Single().Pid;

        // Act
        var ping = await LauncherCli.RunAsync(sandbox, ["ping"], Deadline, cancellationToken: cancellationToken);
        var status = await LauncherCli.RunAsync(sandbox, ["status", "--json"], Deadline, cancellationToken: cancellationToken);
        using var json = JsonDocument.Parse(status.Stdout);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(ping.ExitCode, Is.EqualTo(0), ping.ToString());
            Assert.That(ping.Stdout, Does.Contain("1/1 answered, expected 1: ok"));
            Assert.That(status.ExitCode, Is.EqualTo(0), status.ToString());
            Assert.That(json.RootElement.GetProperty("expected").GetInt32(), Is.EqualTo(1));
            Assert.That(json.RootElement.GetProperty("workers").GetArrayLength(), Is.EqualTo(1));
            Assert.That(json.RootElement.GetProperty("events").EnumerateArray().Any(e =>
                e.GetProperty("kind").GetString() == "worker-started" && e.GetProperty("pid").GetInt32() == pid), Is.True, status.Stdout);
        });

        // Disposing the run stops it and asserts exit 0 and no survivors.
    }
}
