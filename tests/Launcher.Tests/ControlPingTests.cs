using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.Json;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 12, part 3: `launcher ping` over the control socket pings every worker now, side by side (the launcher's
/// <c>SocketPingRound</c>), and the agent answers on a thread of its own (<c>PingServer</c>). A ping is a fresh
/// question, never the liveness loop's last answer; one worker that does not answer, or a client that connects to a
/// worker and says nothing, holds up nobody else.
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
public sealed class ControlPingTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(180_000)]
    public async Task Ping_asks_every_worker_now_and_names_the_one_that_has_stopped_answering_since_the_last_scheduled_ping(CancellationToken cancellationToken)
    {
        // Arrange: scheduled pings once a day, so only a fresh ping can know; one of three workers is frozen.
        await using var sandbox = new Sandbox();
        var config = LauncherConfig.SampleWorkers(3) with { Ping = new { intervalSeconds = 86400, timeoutSeconds = 2 } };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var frozen = run.Workers[1];
        CliResult ping;
        ProcessProbe.Signal(frozen.Pid, Signals.SIGSTOP);
        try
        {
            // Act
            ping = await LauncherCli.RunAsync(sandbox, ["ping", "--json"], Deadline, cancellationToken: cancellationToken);
        }
        finally
        {
            ProcessProbe.Signal(frozen.Pid, Signals.SIGCONT);
        }

        var again = await LauncherCli.RunAsync(sandbox, ["ping", "--json"], Deadline, cancellationToken: cancellationToken);

        // Assert
        using var json = JsonDocument.Parse(ping.Stdout);
        var entries = json.RootElement.GetProperty("workers").EnumerateArray().ToDictionary(w => w.GetProperty("pid").GetInt32());
        Assert.Multiple(() =>
        {
            Assert.That(ping.ExitCode, Is.EqualTo(4), ping.ToString());
            Assert.That(json.RootElement.GetProperty("source").GetString(), Is.EqualTo("launcher"), ping.Stdout);
            Assert.That(json.RootElement.GetProperty("answered").GetInt32(), Is.EqualTo(2), ping.Stdout);
            Assert.That(entries.Keys, Is.EquivalentTo(run.Workers.Select(w => w.PidInside)), ping.Stdout);
            Assert.That(entries[frozen.PidInside].GetProperty("answered").GetBoolean(), Is.False, ping.Stdout);
            Assert.That(entries[frozen.PidInside].GetProperty("problem").GetString(), Is.EqualTo("no answer on its socket"), ping.Stdout);
            Assert.That(again.ExitCode, Is.EqualTo(0), "thawed, it answers the next ping: " + again);
        });
        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), run.Output);
        Assert.That(run.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(120_000)]
    public async Task A_client_that_connects_to_a_worker_and_says_nothing_does_not_keep_the_worker_from_answering_pings(CancellationToken cancellationToken)
    {
        // Arrange: connections to the worker's socket that never send a request (held open through the pings).
        await using var sandbox = new Sandbox();
        await using var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(1), cancellationToken: cancellationToken);
        var worker = run.Workers.Single();
        var silent = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                silent.Add(socket);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(sandbox.Paths.SocketFile(worker.PidInside)), cancellationToken);
            }

            // Act
            var first = await LauncherCli.RunAsync(sandbox, ["ping", "--json"], Deadline, cancellationToken: cancellationToken);
            var second = await LauncherCli.RunAsync(sandbox, ["ping"], Deadline, cancellationToken: cancellationToken);

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
                Assert.That(first.Stdout, Does.Contain("\"source\": \"launcher\""), first.ToString());
                Assert.That(second.ExitCode, Is.EqualTo(0), second.ToString());
                Assert.That(second.Stdout, Does.Contain($"{worker.Node}#{worker.PidInside}: pong"), second.ToString());
            });
        }
        finally
        {
            foreach (var socket in silent)
                socket.Dispose();
        }

        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), run.Output);
        Assert.That(run.Survivors(), Is.Empty);
    }
}
