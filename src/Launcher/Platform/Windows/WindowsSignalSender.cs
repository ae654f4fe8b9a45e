using System.Runtime.Versioning;
using Launcher.Agent.Platform;
using Launcher.Agent.Protocol;

namespace Launcher.Platform.Windows;

/// <summary>
/// Windows has no signals. <see cref="Signal.Kill"/> is <c>TerminateProcess</c> through a handle opened and checked
/// (creation time) first, so a reused pid is never hit; <see cref="Signal.Terminate"/> is the agent's stop
/// request over the worker's socket (<c>&lt;runtime&gt;/&lt;instance&gt;/workers/&lt;pid&gt;.sock</c>) while a handle pins the
/// process. A worker without the agent gets nothing gracefully: the grace period ends in <c>TerminateProcess</c>.
/// (A console control event would need the worker in a process group of its own on our console, which a .NET
/// <c>Process.Start</c> cannot ask for; docs/ARCHITECTURE.md says so.)
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsSignalSender : ISignalSender
{
    private const uint KilledExitCode = 128 + (uint)Signal.Kill;
    private static readonly TimeSpan StopRequestTimeout = TimeSpan.FromSeconds(2);

    public bool IsRaceFree => true;

    public bool Send(ProcessIdentity target, Signal signal) => signal switch
    {
        Signal.Kill => WindowsProcesses.Terminate(target.Pid, target.StartTicks, KilledExitCode),
        Signal.Terminate => RequestStop(target),
        _ => WindowsProcesses.IsRunning(target.Pid, target.StartTicks),
    };

    private static bool RequestStop(ProcessIdentity target)
    {
        // The handle keeps the pid from being reused while the request is sent.
        using var handle = WindowsProcesses.Open(target.Pid, WindowsProcesses.ProcessQueryLimitedInformation);
        if (handle is null || WindowsProcesses.CreationTime(handle) != target.StartTicks || !WindowsProcesses.HasNotExited(handle))
            return false;
        if (StopSocket(target.Pid) is not { } socket)
            return false;
        var reply = PingClient.SendAsync(socket, "stop", StopRequestTimeout, CancellationToken.None).GetAwaiter().GetResult();
        return reply is not null;
    }

    private static string? StopSocket(int pid)
    {
        var root = RuntimePaths.DefaultRoot();
        if (!Directory.Exists(root))
            return null;
        foreach (var instance in Directory.EnumerateDirectories(root))
        {
            var paths = new RuntimePaths(root, Path.GetFileName(instance));
            var socket = paths.SocketFile(pid);
            if (RegistrationStore.Read(paths.RegistrationFile(pid))?.Complete is { } registration
                && registration.Socket == socket && registration.StartTicks == WindowsProcesses.ReadCreationTime(pid))
                return socket;
        }

        return null;
    }
}
