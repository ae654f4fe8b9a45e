using Launcher.Agent.Platform;
using Launcher.Platform;

namespace Launcher.Kill;

/// <summary>
/// When a root launcher may signal a process of another user: only when the kernel vouches that it is ours. A
/// worker that drops privileges (<c>setpriv --reuid</c>, <c>celery --uid</c>, <c>gunicorn --user</c>) is no longer
/// "our user", but it is still in this launcher's cgroup subtree, and still a descendant of this launcher (the
/// launcher is their child subreaper, so even a setsid'd grandchild comes back to it). A pattern, a marker or a
/// registration is never enough for a process of another user.
/// </summary>
internal static class ProvablyOurs
{
    private const int MaxDepth = 256;
    private static volatile CgroupTree? s_cgroups;

    /// <summary>The running launcher's cgroup subtree (null: none, or not a launcher).</summary>
    public static void Register(CgroupTree? cgroups) => s_cgroups = cgroups;

    public static bool MaySignalAcrossUsers(ProcessInfo process, int userId) =>
        userId == 0 && (s_cgroups?.Contains(process.Pid) == true || DescendsFromSelf(process.ParentPid));

    private static bool DescendsFromSelf(int parentPid)
    {
        var self = Environment.ProcessId;
        var pid = parentPid;
        for (var depth = 0; depth < MaxDepth && pid > 1; depth++)
        {
            if (pid == self)
                return true;
            if (ProcStat.Read(pid) is not { } stat)
                return false;
            pid = stat.ParentPid;
        }

        return false;
    }
}
