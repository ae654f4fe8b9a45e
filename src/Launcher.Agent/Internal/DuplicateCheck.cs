using System.Text.Json;
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
        var names = string.Join(", ", running.Select(r => $"{r.Node}#{r.Pid}"));
        if (policy != "replace")
        {
            throw new DuplicateWorkerException(
                $"another worker of instance '{paths.Instance}' is already running: {names}. " +
                $"Stop it (launcher stop) or set {EnvironmentNames.OnDuplicate}=replace to take its place.");
        }

        LogReplacing(logger, names);
        foreach (var registration in running)
            await StopAsync(registration, cancellationToken);
    }

    private async Task<List<WorkerRegistration>> FindAnsweringAsync(CancellationToken cancellationToken)
    {
        var answering = new List<WorkerRegistration>();
        if (!Directory.Exists(paths.WorkersDir))
            return answering;

        foreach (var file in Directory.EnumerateFiles(paths.WorkersDir, "*.json"))
        {
            WorkerRegistration? registration;
            try
            {
                registration = JsonSerializer.Deserialize(await File.ReadAllTextAsync(file, cancellationToken), ProtocolJson.Default.WorkerRegistration);
            }
            catch (Exception ex) when (ex is IOException or JsonException)
            {
                continue;
            }

            if (registration is null || registration.Pid == Environment.ProcessId)
                continue;
            var reply = await PingClient.PingAsync(registration.Socket, PingTimeout, cancellationToken);
            if (reply is not null && reply.Pid == registration.Pid)
                answering.Add(registration);
        }

        return answering;
    }

    private async Task StopAsync(WorkerRegistration registration, CancellationToken cancellationToken)
    {
        // Its launcher would restart it, so the launcher goes first; `stop` over the socket covers a lone worker.
        if (registration is { LauncherPid: { } launcherPid, LauncherStartTicks: { } launcherTicks }
            && SelfIdentity.ReadStartTicks(launcherPid) == launcherTicks)
        {
            PosixSignalSender.Terminate(launcherPid);
        }
        else
        {
            await PingClient.SendAsync(registration.Socket, "stop", PingTimeout, cancellationToken);
        }

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
