using Launcher.Agent.Platform;
using Launcher.Agent.Protocol;
using Microsoft.Extensions.Logging;

namespace Launcher.Agent.Internal;

/// <summary>
/// For a worker started without a launcher: finds workers of the same instance that answer a ping and,
/// by <c>LAUNCHER_ON_DUPLICATE</c>, refuses to start or stops them (and their launcher) and takes their place.
/// </summary>
internal sealed partial class DuplicateCheck(RuntimePaths paths, ILogger logger)
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ReplaceTimeout = TimeSpan.FromSeconds(30);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var running = await FindAnsweringAsync(cancellationToken);
        if (running.Count == 0)
            return;

        var policy = Environment.GetEnvironmentVariable(EnvironmentNames.OnDuplicate)?.Trim().ToLowerInvariant() ?? "refuse";
        var names = running.Select(r => $"{r.Node}#{r.Pid}").ToList();
        if (policy != "replace")
            throw new DuplicateWorkerException(paths.Instance, names);

        LogReplacing(logger, string.Join(", ", names));
        foreach (var registration in running)
            await ReplaceAsync(registration, cancellationToken);
    }

    private async Task<List<WorkerRegistration>> FindAnsweringAsync(CancellationToken cancellationToken)
    {
        var answering = new List<WorkerRegistration>();
        foreach (var read in RegistrationStore.ReadAll(paths.WorkersDir))
        {
            if (read.Complete is not { } registration || registration.Pid == Environment.ProcessId)
                continue;
            var reply = await PingClient.PingAsync(registration.Socket, PingTimeout, cancellationToken);
            if (reply is not null && reply.Pid == registration.Pid)
                answering.Add(registration);
        }

        return answering;
    }

    /// <summary>Stops one running worker (through its launcher when it has a live one) and waits until it is gone.</summary>
    public async Task ReplaceAsync(WorkerRegistration registration, CancellationToken cancellationToken)
    {
        // Its launcher would restart it, so the launcher goes first, by identity: a launcher pid that now names
        // another process gets nothing. `stop` over the socket covers a lone worker, or a launcher already gone.
        var launcherSignalled = registration is { LauncherPid: { } launcherPid, LauncherStartTicks: { } launcherTicks }
            && IdentitySignal.Send(launcherPid, launcherTicks, IdentitySignal.Terminate);
        if (!launcherSignalled)
            await PingClient.SendAsync(registration.Socket, "stop", PingTimeout, cancellationToken);

        var deadline = DateTime.UtcNow + ReplaceTimeout;
        while (SelfIdentity.ReadStartTicks(registration.Pid) == registration.StartTicks && DateTime.UtcNow < deadline)
            await Task.Delay(50, cancellationToken);
        LogReplaced(logger, registration.Node, registration.Pid);
    }

    [LoggerMessage(10, LogLevel.Warning, "Replacing running worker(s) {Workers} (LAUNCHER_ON_DUPLICATE=replace)")]
    private static partial void LogReplacing(ILogger logger, string workers);

    [LoggerMessage(11, LogLevel.Information, "Worker {Node} (pid {Pid}) has stopped; taking its place")]
    private static partial void LogReplaced(ILogger logger, string node, int pid);
}
