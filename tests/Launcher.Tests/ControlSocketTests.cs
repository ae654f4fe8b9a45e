using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 12, part 3: `launcher status`, `ping` and `stop` ask the running launcher over its control socket
/// (<c>&lt;runtime&gt;/&lt;instance&gt;.control.sock</c>) and fall back to discovery when no launcher answers there. The
/// JSON's additive <c>source</c> field (<c>launcher</c> or <c>discovery</c>) says which one answered.
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
public sealed class ControlSocketTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(120_000)]
    public async Task Status_ping_and_stop_are_answered_by_the_running_launcher_over_its_control_socket(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        await using var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(2), cancellationToken: cancellationToken);
        var pids = run.Workers.Select(w => w.Pid).Order().ToList();

        // Act
        var status = await LauncherCli.RunAsync(sandbox, ["status", "--json"], cancellationToken: cancellationToken);
        var ping = await LauncherCli.RunAsync(sandbox, ["ping", "--json"], cancellationToken: cancellationToken);
        run.Observe();
        var stop = await LauncherCli.RunAsync(sandbox, ["stop"], TimeSpan.FromSeconds(60), cancellationToken: cancellationToken);

        // Assert
        using var statusJson = JsonDocument.Parse(status.Stdout);
        using var pingJson = JsonDocument.Parse(ping.Stdout);
        Assert.Multiple(() =>
        {
            Assert.That(status.ExitCode, Is.EqualTo(0), status.ToString());
            Assert.That(statusJson.RootElement.GetProperty("source").GetString(), Is.EqualTo("launcher"), status.Stdout);
            Assert.That(statusJson.RootElement.GetProperty("state").GetString(), Is.EqualTo("running"), status.Stdout);
            Assert.That(statusJson.RootElement.GetProperty("launcher").GetProperty("pid").GetInt32(), Is.EqualTo(run.Process.PidInside), status.Stdout);
            Assert.That(statusJson.RootElement.GetProperty("workers").EnumerateArray().Select(w => w.GetProperty("pid").GetInt32()).Order(), Is.EqualTo(pids), status.Stdout);
            Assert.That(statusJson.RootElement.GetProperty("workers").EnumerateArray().Select(w => w.GetProperty("state").GetString()), Is.All.EqualTo("supervised"), status.Stdout);
            Assert.That(ping.ExitCode, Is.EqualTo(0), ping.ToString());
            Assert.That(pingJson.RootElement.GetProperty("source").GetString(), Is.EqualTo("launcher"), ping.Stdout);
            Assert.That(pingJson.RootElement.GetProperty("answered").GetInt32(), Is.EqualTo(2), ping.Stdout);
            Assert.That(stop.ExitCode, Is.EqualTo(0), stop.ToString());
            Assert.That(stop.Stdout, Does.Contain($"stopping launcher pid {run.Process.PidInside}").And.Contain("stopped"), stop.ToString());
            Assert.That(run.Process.HasExited, Is.True, "`launcher stop` returned after the launcher exited");
            Assert.That(run.Output, Does.Contain("Stop requested over the control socket"), "the launcher was stopped by its socket, not by a signal");
            Assert.That(File.Exists(ControlSocket(sandbox)), Is.False, "the launcher removed its socket on the way out");
        });
        Assert.That(await run.WaitForExitAsync(cancellationToken), Is.EqualTo(0), run.Output);
        Assert.That(run.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(120_000)]
    public async Task A_SIGKILLed_launchers_socket_file_makes_status_ping_and_stop_fall_back_to_discovery_at_once(CancellationToken cancellationToken)
    {
        // Arrange: a launcher dies by SIGKILL; its watchdog ends the worker; the socket file stays behind.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        await using (var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(1), cancellationToken: cancellationToken))
        {
            run.ExpectExitCode(128 + Signals.SIGKILL);
            var worker = run.Workers.Single().Identity;
            run.Process.Signal(Signals.SIGKILL);
            await run.WaitForExitAsync(cancellationToken);
            await Eventually.TrueAsync(() => !worker.IsAlive, Deadline, "the watchdog ended the worker", cancellationToken);
        }

        Assert.That(File.Exists(ControlSocket(sandbox)), Is.True, "the dead launcher's socket file is still there (a positive control)");

        // Act: each command must give up on the dead socket at once (the deadline is far below LauncherCli's 30 s).
        var clock = Stopwatch.StartNew();
        var status = await LauncherCli.RunAsync(sandbox, ["status", "--json"], cancellationToken: cancellationToken);
        var ping = await LauncherCli.RunAsync(sandbox, ["ping", "--json"], cancellationToken: cancellationToken);
        var stop = await LauncherCli.RunAsync(sandbox, ["stop"], cancellationToken: cancellationToken);
        TestContext.Out.WriteLine($"status + ping + stop against a dead socket: {clock.ElapsedMilliseconds} ms");

        // Assert
        using var statusJson = JsonDocument.Parse(status.Stdout);
        using var pingJson = JsonDocument.Parse(ping.Stdout);
        Assert.Multiple(() =>
        {
            Assert.That(status.ExitCode, Is.EqualTo(0), status.ToString());
            Assert.That(statusJson.RootElement.GetProperty("source").GetString(), Is.EqualTo("discovery"), status.Stdout);
            Assert.That(statusJson.RootElement.GetProperty("state").GetString(), Is.EqualTo("not running"), status.Stdout);
            Assert.That(pingJson.RootElement.GetProperty("source").GetString(), Is.EqualTo("discovery"), ping.Stdout);
            Assert.That(pingJson.RootElement.GetProperty("answered").GetInt32(), Is.Zero, ping.Stdout);
            Assert.That(stop.ExitCode, Is.EqualTo(0), stop.ToString());
            Assert.That(stop.Stdout, Does.Contain("no launcher is running"), stop.ToString());
        });
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task A_program_listening_on_the_control_socket_that_is_not_the_launcher_is_told_nothing_and_believed_in_nothing(CancellationToken cancellationToken)
    {
        // Arrange: no launcher; this test listens on the control socket, answers every line with a made-up status,
        // and a planted holder file names this very process (alive, ours: only the lock and executable checks tell).
        await using var sandbox = new Sandbox();
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        Directory.CreateDirectory(sandbox.RuntimeDir);
        var self = Environment.ProcessId;
        File.WriteAllText(Path.Combine(sandbox.RuntimeDir, sandbox.Instance + ".holder.json"),
            JsonSerializer.Serialize(new { pid = self, startTicks = ProcessProbe.StartTicks(self), startedAt = DateTimeOffset.UtcNow, commandLine = "impostor", configFile = "" }));
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(ControlSocket(sandbox)));
        listener.Listen(16);
        var received = new StringBuilder();
        var fake = $"{{\"instance\":\"{sandbox.Instance}\",\"launcher\":null,\"state\":\"running\",\"workers\":[],\"expected\":1,\"events\":[],\"source\":\"launcher\"}}\n";
        using var stopListening = new CancellationTokenSource();
        var impostor = Task.Run(async () =>
        {
            while (!stopListening.IsCancellationRequested)
            {
                using var client = await listener.AcceptAsync(stopListening.Token);
                var buffer = new byte[256];
                var read = await client.ReceiveAsync(buffer, SocketFlags.None, stopListening.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(2), stopListening.Token).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : 0, TaskScheduler.Default);
                lock (received)
                    received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                try
                {
                    await client.SendAsync(Encoding.UTF8.GetBytes(fake), SocketFlags.None, stopListening.Token);
                }
                catch (SocketException)
                {
                    // The command hung up without asking anything: what it should do.
                }
            }
        }, CancellationToken.None);

        // Act
        var status = await LauncherCli.RunAsync(sandbox, ["status", "--json"], cancellationToken: cancellationToken);
        var ping = await LauncherCli.RunAsync(sandbox, ["ping", "--json"], cancellationToken: cancellationToken);
        var stop = await LauncherCli.RunAsync(sandbox, ["stop"], cancellationToken: cancellationToken);
        await stopListening.CancelAsync();
        try
        {
            await impostor;
        }
        catch (OperationCanceledException)
        {
        }

        // Assert
        using var statusJson = JsonDocument.Parse(status.Stdout);
        Assert.Multiple(() =>
        {
            Assert.That(received.ToString(), Is.Empty, "no request was sent to a server not proven to be the launcher");
            Assert.That(statusJson.RootElement.GetProperty("source").GetString(), Is.EqualTo("discovery"), status.Stdout);
            Assert.That(statusJson.RootElement.GetProperty("launcher").GetProperty("commandLine").GetString(), Is.EqualTo("impostor"), "discovery's view (the planted holder), not the made-up reply");
            Assert.That(ping.Stdout, Does.Contain("\"source\": \"discovery\""), ping.ToString());
            Assert.That(stop.ExitCode, Is.EqualTo(0), stop.ToString());
            Assert.That(stop.Stdout, Does.Contain("signalled nothing").And.Contain("not a launcher"), stop.ToString());
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_program_listening_on_the_control_socket_while_another_process_holds_the_instance_lock_is_not_believed(CancellationToken cancellationToken)
    {
        // Arrange: the proof is that the listener itself holds the instance lock (SO_PEERCRED pid = the pid in
        // /proc/locks). Here a helper process holds the lock, as a starting launcher would, and this test listens.
        await using var sandbox = new Sandbox();
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        Directory.CreateDirectory(sandbox.RuntimeDir);
        var lockFile = Path.Combine(sandbox.RuntimeDir, sandbox.Instance + ".lock");
        await using var holder = LauncherProcess.StartProgram(sandbox, "/usr/bin/python3",
            ["-c", "import fcntl,sys,time\nf=open(sys.argv[1],'a')\nfcntl.flock(f,fcntl.LOCK_EX)\nprint('locked',flush=True)\ntime.sleep(600)", lockFile]);
        await holder.WaitForLineAsync("locked", Deadline, cancellationToken);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(ControlSocket(sandbox)));
        listener.Listen(16);

        // Act
        var status = await LauncherCli.RunAsync(sandbox, ["status", "--json"], cancellationToken: cancellationToken);
        var table = await LauncherCli.RunAsync(sandbox, ["status"], cancellationToken: cancellationToken);

        // Assert: connected (the kernel queued it) but asked nothing; discovery answered.
        var asked = new List<string>();
        listener.Blocking = false;
        while (TryAccept(listener) is { } accepted)
        {
            using (accepted)
            {
                var buffer = new byte[256];
                var read = accepted.Available > 0 ? accepted.Receive(buffer) : 0;
                asked.Add(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }

        using var statusJson = JsonDocument.Parse(status.Stdout);
        Assert.Multiple(() =>
        {
            Assert.That(asked, Has.Count.EqualTo(2), "both commands connected (a positive control)");
            Assert.That(asked, Is.All.Empty, "no request was sent to a listener that does not hold the lock");
            Assert.That(statusJson.RootElement.GetProperty("source").GetString(), Is.EqualTo("discovery"), status.Stdout);
            Assert.That(table.ExitCode, Is.EqualTo(0), table.ToString());
            Assert.That(table.Stdout, Does.Contain("instance   " + sandbox.Instance), table.ToString());
        });
    }

    private static Socket? TryAccept(Socket listener)
    {
        try
        {
            return listener.Accept();
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock)
        {
            return null;
        }
    }

    [Test, CancelAfter(120_000)]
    public async Task Another_user_who_reaches_the_control_socket_is_refused_by_the_launcher(CancellationToken cancellationToken)
    {
        // Arrange: the launcher runs as this user (root here); the runtime directory and the socket are opened up
        // so that `nobody` reaches the socket at all, leaving SO_PEERCRED as the only check in the way.
        Assume.That(Environment.UserName, Is.EqualTo("root"), "needs root to run a client as nobody");
        await using var sandbox = new Sandbox();
        await using var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(1), cancellationToken: cancellationToken);
        var socket = ControlSocket(sandbox);
        File.SetUnixFileMode(sandbox.RuntimeDir, (UnixFileMode)0b111_001_001);
        File.SetUnixFileMode(socket, (UnixFileMode)0b110_110_110);
        var client = "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\ns.sendall(b'status\\n')\ns.settimeout(10)\nprint(s.makefile().readline().strip())";

        // Act
        var asNobody = await Examples.RunAsync(sandbox, "setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/python3", "-c", client, socket], sandbox.Dir, null, cancellationToken);
        var asUs = await LauncherCli.RunAsync(sandbox, ["status", "--json"], cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(asNobody.Stdout, Does.Contain("refused"), asNobody.Output);
            Assert.That(asNobody.Stdout, Does.Not.Contain("workers"), "no status for another user");
            Assert.That(asUs.Stdout, Does.Contain("\"source\": \"launcher\""), "our own user is still answered (a positive control)");
        });
        await run.WaitForLineAsync("Control socket refused", cancellationToken);
    }

    private static string ControlSocket(Sandbox sandbox) => Path.Combine(sandbox.RuntimeDir, sandbox.Instance + ".control.sock");
}
