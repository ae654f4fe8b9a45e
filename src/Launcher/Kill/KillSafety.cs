using Launcher.Platform;

namespace Launcher.Kill;

/// <summary>
/// The rules every kill obeys, in one place: only processes of the current user (root included: being root is
/// no licence), never pid 1, never this launcher or any of its ancestors (the shell or IDE that started it).
/// </summary>
internal static class KillSafety
{
    /// <summary>This process and every ancestor up to init.</summary>
    public static HashSet<int> ProtectedPids(IReadOnlyList<ProcessInfo> snapshot)
    {
        var parents = snapshot.ToDictionary(p => p.Pid, p => p.ParentPid);
        var protectedPids = new HashSet<int> { 0, 1 };
        for (var pid = Environment.ProcessId; pid > 1 && protectedPids.Add(pid);)
            pid = parents.GetValueOrDefault(pid);
        return protectedPids;
    }

    /// <remarks>Another user's process only when we are root and it is provably ours (<see cref="ProvablyOurs"/>).</remarks>
    public static bool MayKill(ProcessInfo process, int userId, IReadOnlySet<int> protectedPids) =>
        !protectedPids.Contains(process.Pid)
        && (process.UserId == userId || ProvablyOurs.MaySignalAcrossUsers(process, userId));
}
