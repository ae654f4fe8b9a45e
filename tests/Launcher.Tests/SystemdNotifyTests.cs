using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Production under systemd: `Type=notify` must mean "verified", so READY=1 goes to NOTIFY_SOCKET only after
/// exactly N workers answered (UseSystemd() would send it at host start), and `service print --systemd` writes
/// such a unit.
/// </summary>
[TestFixture]
public sealed class SystemdNotifyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LongDeadline = TimeSpan.FromSeconds(60);

    [Test, CancelAfter(60_000)]
    public async Task READY_reaches_the_notify_socket_only_after_the_workers_are_verified(CancellationToken cancellationToken)
    {
        // Arrange: a datagram socket standing in for systemd; the worker takes 2 s before it can answer.
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(1, "--ready-delay", "2") with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        var notifyPath = Path.Combine(sandbox.Dir, "notify.sock");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(notifyPath));

        // Act
        await using var launcher = LauncherProcess.Start(sandbox, ["run"], environment: new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = notifyPath });
        await launcher.WaitForLineAsync("Started worker", Deadline, cancellationToken);
        var beforeVerification = await ReceiveAsync(systemd, TimeSpan.FromSeconds(1), cancellationToken);
        var ready = await ReceiveAsync(systemd, Deadline, cancellationToken);
        var readyLine = await launcher.WaitForLineAsync(ReadyLine.Is, Deadline, cancellationToken);
        launcher.Signal(Signals.SIGTERM);
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(beforeVerification, Is.Null, "nothing is sent while the worker is not yet verified");
            Assert.That(ready, Does.Contain("READY=1"), launcher.Output);
            Assert.That(ready, Does.Contain("STATUS=" + readyLine.Trim()), "the status names the verified workers");
            Assert.That(ready, Does.Contain($"MAINPID={launcher.Pid}"));
            Assert.That(exitCode, Is.EqualTo(0), launcher.Output);
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(30_000)]
    public async Task Service_print_systemd_writes_a_notify_unit_that_runs_this_config(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var config = LauncherConfig.SampleWorkers(1).WriteTo(sandbox);

        // Act
        var result = await LauncherCli.RunAsync(sandbox, ["service", "print", "--systemd", "--config", config], cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            Assert.That(result.Stdout, Does.Contain("Type=notify"));
            Assert.That(result.Stdout, Does.Contain($"ExecStart={Repo.LauncherExe} run --config {config}"));
            Assert.That(result.Stdout, Does.Contain("ExecReload=/bin/kill -HUP $MAINPID"), "reload is the rolling restart");
            Assert.That(result.Stdout, Does.Contain($"WorkingDirectory={sandbox.Dir}"));
        });
    }

    [Test, CancelAfter(180_000)]
    public async Task WATCHDOG_pings_come_while_the_supervision_loop_turns_and_stop_while_it_is_frozen(CancellationToken cancellationToken)
    {
        // Arrange: systemd asks for a ping within 1 s (so one every 0.5 s); the test hook freezes the loop on demand.
        await using var sandbox = new Sandbox();
        var notifyPath = Path.Combine(sandbox.Dir, "notify.sock");
        var freezeFile = Path.Combine(sandbox.Dir, "freeze");
        using var systemd = new NotifyListener(notifyPath);
        var environment = systemd.Environment;
        environment["WATCHDOG_USEC"] = "1000000";
        environment["LAUNCHER_TEST_FREEZE_FILE"] = freezeFile;
        await using var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }, environment: environment, cancellationToken: cancellationToken);
        await Eventually.TrueAsync(() => systemd.Count("WATCHDOG=1") >= 2, LongDeadline, $"two WATCHDOG=1 pings arrive; received:\n{systemd.Describe()}", cancellationToken);

        // Act: wedge the loop; the launcher says how many pings it had sent when it began withholding them.
        await File.WriteAllTextAsync(freezeFile, "", cancellationToken);
        var withheld = await run.Process.WaitForLineAsync("withholding systemd watchdog pings", LongDeadline, cancellationToken);
        var sent = int.Parse(Regex.Match(withheld, @"after (\d+) sent").Groups[1].Value, CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(() => systemd.Count("WATCHDOG=1") >= sent, LongDeadline, "the pings sent before the freeze all arrive", cancellationToken);
        // An absence needs a window: six ping intervals with the loop frozen.
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        var whileFrozen = systemd.Count("WATCHDOG=1");
        File.Delete(freezeFile);
        await Eventually.TrueAsync(() => systemd.Count("WATCHDOG=1") > sent, LongDeadline, $"pings resume once the loop turns again; received:\n{systemd.Describe()}", cancellationToken);
        var exitCode = await run.StopAsync(cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.GreaterThanOrEqualTo(2), withheld);
            Assert.That(whileFrozen, Is.EqualTo(sent), "no WATCHDOG=1 while the supervision loop is frozen");
            Assert.That(run.Output, Does.Contain("systemd watchdog pings resumed"));
            Assert.That(exitCode, Is.EqualTo(0), run.Output);
        });
    }

    [Test, CancelAfter(180_000)]
    public async Task STATUS_names_a_SIGKILLed_worker_while_it_is_restarted_then_all_answer_and_the_stop_sends_STOPPING(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var notifyPath = Path.Combine(sandbox.Dir, "notify.sock");
        using var systemd = new NotifyListener(notifyPath);
        var config = LauncherConfig.SampleWorkers(2) with { StopGraceSeconds = 5, Restart = new { initialDelaySeconds = 1 } };
        await using var run = await LauncherRun.StartAsync(sandbox, config, environment: systemd.Environment, cancellationToken: cancellationToken);
        var victim = run.Workers[0].Pid;
        var ready = await systemd.WaitForAsync(m => NotifyListener.HasLine(m, "READY=1"), 0, LongDeadline, "READY=1", cancellationToken);

        // Act
        Assert.That(ProcessProbe.Signal(victim, Signals.SIGKILL), Is.True);
        var restarting = await systemd.WaitForAsync(
            m => NotifyListener.Value(m, "STATUS") is { } status && status.Contains($"restarting api{victim}@", StringComparison.Ordinal),
            ready + 1, LongDeadline, "STATUS= names the killed worker as restarting", cancellationToken);
        var answering = await systemd.WaitForAsync(m => NotifyListener.Value(m, "STATUS") == "2/2 answering", restarting + 1, LongDeadline, "STATUS= says both answer again", cancellationToken);
        run.Observe();
        var exitCode = await run.StopAsync(cancellationToken);
        var stopping = await systemd.WaitForAsync(m => NotifyListener.HasLine(m, "STOPPING=1"), answering + 1, LongDeadline, "STOPPING=1 on stop", cancellationToken);

        // Assert
        var messages = systemd.Messages;
        Assert.Multiple(() =>
        {
            Assert.That(NotifyListener.Value(messages[restarting], "STATUS"), Is.EqualTo($"1/2 answering, restarting {run.Workers[0].Node} (crashed)"), systemd.Describe());
            Assert.That(messages.Skip(stopping + 1).Where(m => m.Contains("STATUS=", StringComparison.Ordinal) && !m.Contains("stopping", StringComparison.Ordinal)), Is.Empty, "no worker status after STOPPING=1");
            Assert.That(exitCode, Is.EqualTo(0), run.Output);
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(180_000)]
    public async Task SIGHUP_sends_RELOADING_with_MONOTONIC_USEC_and_READY_once_the_worker_is_replaced(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var notifyPath = Path.Combine(sandbox.Dir, "notify.sock");
        using var systemd = new NotifyListener(notifyPath);
        await using var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }, environment: systemd.Environment, cancellationToken: cancellationToken);
        var ready = await systemd.WaitForAsync(m => NotifyListener.HasLine(m, "READY=1"), 0, LongDeadline, "READY=1", cancellationToken);
        var before = MonotonicMicroseconds();

        // Act
        run.Process.Signal(Signals.SIGHUP);
        var reloading = await systemd.WaitForAsync(m => NotifyListener.HasLine(m, "RELOADING=1"), ready + 1, LongDeadline, "RELOADING=1 after SIGHUP", cancellationToken);
        var after = MonotonicMicroseconds();
        var readyAgain = await systemd.WaitForAsync(m => NotifyListener.HasLine(m, "READY=1"), reloading + 1, LongDeadline, "READY=1 after the rolling restart", cancellationToken);
        var replacement = Supervision.StartedPids(run.Process)[^1];
        run.Observe();
        var exitCode = await run.StopAsync(cancellationToken);

        // Assert
        var messages = systemd.Messages;
        var monotonic = long.Parse(NotifyListener.Value(messages[reloading], "MONOTONIC_USEC") ?? "0", CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That(monotonic, Is.InRange(before, after), "MONOTONIC_USEC is CLOCK_MONOTONIC at the reload");
            Assert.That(replacement, Is.Not.EqualTo(run.Workers[0].Pid), run.Output);
            Assert.That(NotifyListener.Value(messages[readyAgain], "STATUS"), Is.EqualTo("1/1 answering"), "READY=1 comes once the replacement answers");
            Assert.That(exitCode, Is.EqualTo(0), run.Output);
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    // CLOCK_MONOTONIC as .NET reads it on Linux (Stopwatch is clock_gettime(CLOCK_MONOTONIC) in nanoseconds).
    private static long MonotonicMicroseconds() => Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000);

    private static async Task<string?> ReceiveAsync(Socket socket, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        var buffer = new byte[4096];
        try
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeoutCts.Token);
            return Encoding.UTF8.GetString(buffer, 0, received);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
