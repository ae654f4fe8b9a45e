using System.Net.Sockets;
using System.Text;
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
