using System.Runtime.Versioning;
using Launcher.Agent;
using Launcher.Agent.Internal;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// LAUNCHER_ON_DUPLICATE=replace: a hand-started worker stops the running one's launcher through the same
/// identity-checked sender the launcher uses (pidfd_open, start-ticks check, pidfd_send_signal), never by bare pid.
/// Real processes (`sleep`) stand in for the launcher and the worker; a real ping server answers for the worker.
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
public sealed class AgentReplaceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Test, CancelAfter(30_000)]
    public async Task Replace_leaves_a_launcher_pid_whose_start_time_changed_alone_and_stops_the_worker_over_its_socket(CancellationToken cancellationToken)
    {
        // Arrange: the registration names a live process as launcher, but with other start ticks (a reused pid).
        await using var sandbox = new Sandbox();
        await using var impostor = await StrayProcesses.StartAsync(sandbox, "sleep", ["3611"], "sleep 3611", cancellationToken: cancellationToken);
        await using var worker = await StrayProcesses.StartAsync(sandbox, "sleep", ["3612"], "sleep 3612", cancellationToken: cancellationToken);
        var stopAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = StartPingServer(sandbox, worker.Pid, () =>
        {
            stopAsked.TrySetResult();
            worker.Signal(Signals.SIGKILL); // what a real worker does on `stop`: it goes
        });
        var registration = new WorkerRegistration(
            $"api{worker.Pid}@test", worker.Pid, ProcessProbe.StartTicks(worker.Pid)!.Value, sandbox.Paths.SocketFile(worker.Pid),
            SelfIdentity.BootId, impostor.Pid, ProcessProbe.StartTicks(impostor.Pid)!.Value + 1);

        // Act
        await new DuplicateCheck(sandbox.Paths, NullLogger.Instance).ReplaceAsync(registration, cancellationToken);
        var workerExit = await worker.WaitForExitAsync(Deadline, cancellationToken);

        // Assert: the pid with the wrong start time got nothing; the worker was asked over its socket instead.
        Assert.Multiple(() =>
        {
            Assert.That(stopAsked.Task.IsCompleted, Is.True, "the worker was asked to stop over its socket");
            Assert.That(workerExit, Is.EqualTo(128 + Signals.SIGKILL));
            Assert.That(impostor.HasExited, Is.False, "the process that merely has the launcher's old pid is untouched");
            Assert.That(ProcessProbe.IsAlive(impostor.Pid), Is.True);
        });
        impostor.Signal(Signals.SIGKILL);
        await impostor.WaitForExitAsync(Deadline, cancellationToken);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(30_000)]
    public async Task Replace_sends_SIGTERM_to_a_launcher_whose_identity_still_matches(CancellationToken cancellationToken)
    {
        // Arrange: one process is both the launcher and (so the wait for the worker ends with it) the worker.
        await using var sandbox = new Sandbox();
        await using var launcher = await StrayProcesses.StartAsync(sandbox, "sleep", ["3613"], "sleep 3613", cancellationToken: cancellationToken);
        var ticks = ProcessProbe.StartTicks(launcher.Pid)!.Value;
        var stopAsked = false;
        await using var server = StartPingServer(sandbox, launcher.Pid, () => stopAsked = true);
        var registration = new WorkerRegistration(
            $"api{launcher.Pid}@test", launcher.Pid, ticks, sandbox.Paths.SocketFile(launcher.Pid), SelfIdentity.BootId, launcher.Pid, ticks);

        // Act
        await new DuplicateCheck(sandbox.Paths, NullLogger.Instance).ReplaceAsync(registration, cancellationToken);
        var exit = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(128 + Signals.SIGTERM), "the launcher got SIGTERM");
            Assert.That(stopAsked, Is.False, "no socket stop was needed");
        });
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(30_000)]
    public async Task A_refused_duplicate_names_the_instance_and_the_running_workers(CancellationToken cancellationToken)
    {
        // Arrange: one registered worker that answers pings.
        await using var sandbox = new Sandbox();
        await using var worker = await StrayProcesses.StartAsync(sandbox, "sleep", ["3614"], "sleep 3614", cancellationToken: cancellationToken);
        await using var server = StartPingServer(sandbox, worker.Pid, () => { });
        RegistrationStore.Write(sandbox.Paths.RegistrationFile(worker.Pid), new WorkerRegistration(
            $"api{worker.Pid}@test", worker.Pid, ProcessProbe.StartTicks(worker.Pid)!.Value, sandbox.Paths.SocketFile(worker.Pid), SelfIdentity.BootId));
        Assume.That(Environment.GetEnvironmentVariable(EnvironmentNames.OnDuplicate), Is.Null, "the default policy, refuse");

        // Act
        var refusal = Assert.ThrowsAsync<DuplicateWorkerException>(() => new DuplicateCheck(sandbox.Paths, NullLogger.Instance).RunAsync(cancellationToken));

        // Assert: the data, and the message built from it.
        Assert.Multiple(() =>
        {
            Assert.That(refusal!.Instance, Is.EqualTo(sandbox.Instance));
            Assert.That(refusal.RunningWorkers, Is.EqualTo(new[] { $"api{worker.Pid}@test#{worker.Pid}" }));
            Assert.That(refusal.Message, Does.Contain(sandbox.Instance).And.Contain($"api{worker.Pid}@test#{worker.Pid}").And.Contain("LAUNCHER_ON_DUPLICATE=replace"));
            Assert.That(ProcessProbe.IsAlive(worker.Pid), Is.True, "refusing stops nobody");
        });
        worker.Signal(Signals.SIGKILL);
        await worker.WaitForExitAsync(Deadline, cancellationToken);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    private static PingServer StartPingServer(Sandbox sandbox, int pid, Action onStop)
    {
        sandbox.Paths.CreateWorkersDirectory();
        var server = new PingServer(sandbox.Paths.SocketFile(pid), new PingReply($"api{pid}@test", pid), onStop);
        server.Start();
        return server;
    }
}
