using System.Diagnostics;
using Launcher.Agent.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Launcher.Agent.Internal;

/// <summary>
/// The worker side of the protocol (docs/PROTOCOL.md). Registration happens in <see cref="StartedAsync"/>, after
/// every other hosted service has started, so "answers a ping" means "the worker is up".
/// </summary>
internal sealed partial class AgentHostedService(
    LauncherAgentOptions options,
    IHostApplicationLifetime lifetime,
    ILogger<AgentHostedService> logger) : IHostedLifecycleService, IAsyncDisposable
{
    // Far longer than any worker takes from its duplicate check to its registration; a holder that is stopped
    // (SIGSTOP, a debugger) must not block this worker for ever: it then fails with the lock's IOException.
    private static readonly TimeSpan StartupLockTimeout = TimeSpan.FromSeconds(60);

    private readonly int _pid = Environment.ProcessId;
    private RuntimePaths? _paths;
    private PingServer? _server;
    private CancellationTokenSource? _watchCts;
    private LauncherGuardValue? _launcher;
    private FileStream? _startupLock;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        // First, and whether or not there is an instance: a worker started by hand can be debugged as well.
        await WaitForDebuggerAsync(cancellationToken);

        var instance = Environment.GetEnvironmentVariable(EnvironmentNames.Instance) ?? options.Instance;
        if (string.IsNullOrWhiteSpace(instance))
        {
            LogDisabled(logger);
            return;
        }

        _paths = new RuntimePaths(RuntimePaths.DefaultRoot(), instance);

        // A worker started by hand has no node, and maybe no instance marker or runtime dir, in its environment
        // yet; setting them now means every child it starts inherits them, so the launcher counts a grandchild
        // that escaped the tree as part of this worker (and kills it with it), not as another.
        if (Environment.GetEnvironmentVariable(EnvironmentNames.Node) is null)
            Environment.SetEnvironmentVariable(EnvironmentNames.Node, SelfIdentity.NodeName(_pid));
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentNames.Instance)))
            Environment.SetEnvironmentVariable(EnvironmentNames.Instance, instance);
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentNames.RuntimeDir)))
            Environment.SetEnvironmentVariable(EnvironmentNames.RuntimeDir, _paths.Root);

        // Started by a launcher only when the guard names a live launcher of this very instance: a stale guard,
        // or one inherited from another instance's worker, must not skip the duplicate check nor arm the parent
        // watch (which would stop this worker as soon as it saw that launcher gone).
        var launcher = LauncherGuardValue.FromEnvironment();
        _launcher = launcher is not null && launcher.Instance == instance && launcher.IsAlive ? launcher : null;
        if (_launcher is null)
        {
            // Hand-started workers of one instance check and register one at a time, else two started together
            // would each find no other and both stay. Released once the registration is written (StartedAsync).
            _startupLock = await AcquireStartupLockAsync(_paths, cancellationToken);
            try
            {
                await new DuplicateCheck(_paths, logger).RunAsync(cancellationToken);
            }
            catch
            {
                ReleaseStartupLock();
                throw;
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (_paths is null)
            return;

        var node = Environment.GetEnvironmentVariable(EnvironmentNames.Node) ?? SelfIdentity.NodeName(_pid);
        _paths.CreateWorkersDirectory();

        var socketPath = _paths.SocketFile(_pid);
        _server = new PingServer(socketPath, new PingReply(node, _pid), lifetime.StopApplication);
        _server.Start();

        var launcher = _launcher;
        var registration = new WorkerRegistration(
            node, _pid, SelfIdentity.ReadStartTicks(_pid) ?? 0, socketPath, SelfIdentity.BootId, launcher?.Pid, launcher?.StartTicks);
        try
        {
            RegistrationStore.Write(_paths.RegistrationFile(_pid), registration);
        }
        finally
        {
            ReleaseStartupLock();
        }

        LogRegistered(logger, node, _pid, socketPath);

        if (launcher is not null)
            StartParentWatch(launcher);
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        // Leave the registry first, so nobody pings a worker that is on its way out.
        if (_paths is not null)
            File.Delete(_paths.RegistrationFile(_pid));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        ReleaseStartupLock();
        if (_watchCts is not null)
        {
            await _watchCts.CancelAsync();
            _watchCts.Dispose();
            _watchCts = null;
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    private async Task WaitForDebuggerAsync(CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(EnvironmentNames.WaitForDebugger) != "1")
            return;

        // Plain console output on purpose: the user is looking for this pid to attach to (under `launcher run
        // --debug` the line reaches the launcher's console as well).
        Console.WriteLine($"Waiting for a debugger to attach to pid {_pid} ({Environment.ProcessPath}); unset {EnvironmentNames.WaitForDebugger} to skip ...");
        while (!Debugger.IsAttached)
            await Task.Delay(100, cancellationToken);
        Console.WriteLine("Debugger attached.");
    }

    // Second line of defence behind the kernel's parent-death signal: if the launcher is gone, stop cleanly.
    private void StartParentWatch(LauncherGuardValue launcher)
    {
        _watchCts = new CancellationTokenSource();
        var token = _watchCts.Token;
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(options.ParentWatchInterval);
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                if (launcher.IsAlive)
                    continue;
                LogLauncherGone(logger, launcher.Pid);
                lifetime.StopApplication();
                return;
            }
        }, token);
    }

    // <runtime>/<instance>/agent.lock, never deleted (deleting a lock file lets two holders lock two inodes).
    // FileShare.None makes .NET take flock(LOCK_EX | LOCK_NB) on it; so wait by retrying.
    private static async Task<FileStream> AcquireStartupLockAsync(RuntimePaths paths, CancellationToken cancellationToken)
    {
        paths.CreateWorkersDirectory();
        var lockFile = Path.Combine(Path.GetDirectoryName(paths.WorkersDir)!, "agent.lock");
        var deadline = DateTime.UtcNow + StartupLockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Another worker of this instance is between its duplicate check and its registration.
                await Task.Delay(20, cancellationToken);
            }
        }
    }

    private void ReleaseStartupLock()
    {
        _startupLock?.Dispose();
        _startupLock = null;
    }

    [LoggerMessage(1, LogLevel.Information, "Launcher agent disabled: LAUNCHER_INSTANCE is not set and no instance was configured")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(2, LogLevel.Information, "Registered as {Node} (pid {Pid}), answering pings on {Socket}")]
    private static partial void LogRegistered(ILogger logger, string node, int pid, string socket);

    [LoggerMessage(3, LogLevel.Warning, "Launcher pid {LauncherPid} is gone; stopping this worker")]
    private static partial void LogLauncherGone(ILogger logger, int launcherPid);
}
