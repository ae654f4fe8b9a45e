using System.Net;
using System.Net.Sockets;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 13 part 3: with <c>metrics.listen</c> the running launcher serves Prometheus text at /metrics over loopback,
/// and its counts follow what happens to the workers. A bad or busy address is exit 2 with nothing started.
/// </summary>
[TestFixture]
public sealed class MetricsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Test, CancelAfter(150_000)]
    public async Task Metrics_over_loopback_count_a_SIGKILLed_worker_as_a_crash_restart_and_answering_returns_to_N(CancellationToken cancellationToken)
    {
        // Arrange: two workers, the listener on a port the kernel picks.
        await using var sandbox = new Sandbox();
        var config = LauncherConfig.SampleWorkers(2) with
        {
            Restart = new { initialDelaySeconds = 0.1 },
            Extra = new Dictionary<string, object?> { ["metrics"] = new { listen = "127.0.0.1:0" } },
        };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var address = await MetricsScrape.AddressOfAsync(run, cancellationToken);
        using var client = new HttpClient();
        MetricsScrape before = null!;
        await Eventually.TrueAsync(
            async () => (before = await MetricsScrape.FromAsync(client, address, cancellationToken))["launcher_workers_answering"] == 2,
            Deadline, "the scrape shows both workers answering after the ready line", cancellationToken);
        var killed = run.Workers[0];

        // Act
        Assert.That(ProcessProbe.Signal(killed.Pid, Signals.SIGKILL), Is.True);

        // Assert: one restart because of a crash, exit code 128+9 for the killed node, both workers answering again.
        MetricsScrape after = before;
        await Eventually.TrueAsync(
            async () =>
            {
                after = await MetricsScrape.FromAsync(client, address, cancellationToken);
                return after["launcher_restarts_total{reason=\"crashed\"}"] == 1 && after["launcher_workers_answering"] == 2;
            },
            Deadline, "the scrape shows one crash restart and 2 answering", cancellationToken);
        run.Observe();
        var replacement = Supervision.StartedPids(run.Process)[^1];
        Assert.Multiple(() =>
        {
            Assert.That(before["launcher_workers_expected"], Is.EqualTo(2), before.Text);
            Assert.That(before["launcher_workers_answering"], Is.EqualTo(2), before.Text);
            Assert.That(before["launcher_restarts_total{reason=\"crashed\"}"], Is.Null, "no restart before the kill: " + before.Text);
            Assert.That(before["launcher_run_phase{phase=\"running\"}"], Is.EqualTo(1), before.Text);
            Assert.That(after["launcher_worker_exits_total{reason=\"crashed\"}"], Is.EqualTo(1), after.Text);
            Assert.That(after.SeriesStartingWith("launcher_worker_last_exit_code{"), Has.Some.Contains($"node=\"{killed.Node}\"").And.Some.Contains("reason=\"crashed\""), after.Text);
            Assert.That(after.SeriesStartingWith("launcher_worker_last_exit_code{").Select(s => after[s]), Has.Member(137.0), "128 + SIGKILL: " + after.Text);
            Assert.That(after.SeriesStartingWith("launcher_worker_seconds_since_last_ping{"), Has.None.Contains(killed.Node), "the killed node's series ended");
            Assert.That(after.SeriesStartingWith("launcher_worker_uptime_seconds{"), Has.Some.Contains($"node=\"api{replacement}@"), "the replacement's series began");
            Assert.That(after["launcher_strays_killed_total"], Is.EqualTo(0), after.Text);
            Assert.That(after["launcher_crash_loop_recent_exits{slot=\"0\"}"], Is.EqualTo(1), after.Text);
            Assert.That(after["launcher_crash_loop_tripped"], Is.EqualTo(0), after.Text);
            Assert.That(after["launcher_slot_restarts{slot=\"0\"}"], Is.EqualTo(1), after.Text);
            Assert.That(after["launcher_slot_restarts{slot=\"1\"}"], Is.EqualTo(0), after.Text);
        });

        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), run.Output);
    }

    [Test, CancelAfter(90_000)]
    public async Task A_stray_killed_at_start_is_counted(CancellationToken cancellationToken)
    {
        // Arrange: a worker of this instance started without a launcher (as an IDE starts one).
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        var config = LauncherConfig.SampleWorkers(1) with { Extra = new Dictionary<string, object?> { ["metrics"] = new { listen = "127.0.0.1:0" } } };
        await using var stray = await StrayProcesses.StartWorkerAsync(sandbox, [], cancellationToken: cancellationToken);

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var address = await MetricsScrape.AddressOfAsync(run, cancellationToken);
        using var client = new HttpClient();
        var scrape = await MetricsScrape.FromAsync(client, address, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(run.Output, Does.Contain($"Killed stray {stray.Node}#{stray.PidInside}"), run.Output);
            Assert.That(scrape["launcher_strays_killed_total"], Is.EqualTo(1), scrape.Text);
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_metrics_address_already_in_use_exits_2_naming_metrics_listen_and_starts_nothing(CancellationToken cancellationToken)
    {
        // Arrange: something else listens on the port.
        await using var sandbox = new Sandbox();
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        other.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        other.Listen();
        var port = ((IPEndPoint)other.LocalEndPoint!).Port;
        (LauncherConfig.SampleWorkers(1) with { Extra = new Dictionary<string, object?> { ["metrics"] = new { listen = $"127.0.0.1:{port}" } } }).WriteTo(sandbox);

        // Act
        var result = await LauncherCli.RunAsync(sandbox, ["run"], Deadline, cancellationToken: cancellationToken);

        // Assert
        var errors = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.Contains(" INF ", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(errors, Has.Count.EqualTo(1), "one line: " + result.Stderr);
            Assert.That(result.Stderr, Does.Contain("'metrics.listen'").And.Contain($"127.0.0.1:{port}"));
            Assert.That(result.Stdout, Does.Not.Contain("ready:"));
            Assert.That(Directory.Exists(sandbox.LogDir) ? Directory.GetFiles(sandbox.LogDir, "worker_*.log") : [], Is.Empty, "no worker was started");
            Assert.That(sandbox.Survivors(), Is.Empty, "no process");
        });
    }

    [TestCase("9464", "must be address:port")]
    [TestCase(":9464", "names no address")]
    [TestCase("127.0.0.1:http", "must be 0-65535")]
    [TestCase("127.0.0.1:70000", "must be 0-65535")]
    [TestCase("metrics.example.com:9464", "not an IP address")]
    [TestCase("::1:9464", "IPv6 address goes in brackets")]
    [CancelAfter(60_000)]
    public async Task A_bad_metrics_address_exits_2_with_one_line_naming_metrics_listen(string listen, string fragment, CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(1) with { Extra = new Dictionary<string, object?> { ["metrics"] = new { listen } } }).WriteTo(sandbox);

        // Act
        var result = await LauncherCli.RunAsync(sandbox, ["run"], Deadline, cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), result.Stderr);
            Assert.That(result.Stderr, Does.Contain("'metrics.listen'").And.Contain(fragment));
            Assert.That(Directory.EnumerateFileSystemEntries(sandbox.RuntimeDir), Is.Empty, "nothing created");
        });
    }
}
