using Launcher.Agent.Protocol;
using Launcher.Platform;

namespace Launcher.Strays;

/// <summary>
/// One worker as found on the machine: its root process, everything in its tree, and its registration.
/// Processes are grouped by node name (inherited through LAUNCHER_NODE), so a grandchild that escaped the
/// tree still belongs to its worker and is never counted as a worker of its own.
/// </summary>
internal sealed record WorkerUnit(
    string Key,
    string? Node,
    ProcessInfo? Root,
    WorkerRegistration? Registration,
    IReadOnlyList<ProcessInfo> Members,
    string FoundBy,
    string? Guard)
{
    public int? Pid => Root?.Pid ?? Registration?.Pid;

    /// <summary>How the user sees this worker in messages: <c>api4242@host#4242</c>.</summary>
    public string Display => Node is null ? $"pid {Pid} ({Root?.CommandText})" : $"{Node}#{Pid}";
}
