using System.Diagnostics;
using System.Text.Json;
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
    private readonly int _pid = Environment.ProcessId;
    private RuntimePaths? _paths;
    private PingServer? _server;
    private CancellationTokenSource? _watchCts;

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

        // A worker started by hand has no node yet; giving it one now means every child it starts inherits it,
        // so the launcher counts a grandchild that escaped the tree as part of this worker, not as another.
        if (Environment.GetEnvironmentVariable(EnvironmentNames.Node) is null)
            Environment.SetEnvironmentVariable(EnvironmentNames.Node, SelfIdentity.NodeName(_pid));

        var launcher = LauncherGuardValue.FromEnvironment();
        if (launcher is null)
            await new DuplicateCheck(_paths, logger).RunAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (_paths is null)
            return;

        var node = Environment.GetEnvironmentVariable(EnvironmentNames.Node) ?? SelfIdentity.NodeName(_pid);
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(_paths.WorkersDir);
        else
        {
            // One level at a time: CreateDirectory applies the mode only to the last level it creates.
            const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            Directory.CreateDirectory(_paths.Root, Private);
            Directory.CreateDirectory(Path.GetDirectoryName(_paths.WorkersDir)!, Private);
            Directory.CreateDirectory(_paths.WorkersDir, Private);
        }

        var socketPath = _paths.SocketFile(_pid);
        _server = new PingServer(socketPath, new PingReply(node, _pid), lifetime.StopApplication);
        _server.Start();

        var launcher = LauncherGuardValue.FromEnvironment();
        var registration = new WorkerRegistration(
            node, _pid, SelfIdentity.ReadStartTicks(_pid) ?? 0, socketPath, SelfIdentity.BootId, launcher?.Pid, launcher?.StartTicks);
        await WriteAtomicallyAsync(_paths.RegistrationFile(_pid), JsonSerializer.Serialize(registration, ProtocolJson.Default.WorkerRegistration), cancellationToken);
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

    private static async Task WriteAtomicallyAsync(string path, string content, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, content, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    [LoggerMessage(1, LogLevel.Information, "Launcher agent disabled: LAUNCHER_INSTANCE is not set and no instance was configured")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(2, LogLevel.Information, "Registered as {Node} (pid {Pid}), answering pings on {Socket}")]
    private static partial void LogRegistered(ILogger logger, string node, int pid, string socket);

    [LoggerMessage(3, LogLevel.Warning, "Launcher pid {LauncherPid} is gone; stopping this worker")]
    private static partial void LogLauncherGone(ILogger logger, int launcherPid);
}
