using Launcher.Agent.Protocol;
using Launcher.Exceptions;
using Launcher.Platform;

namespace Launcher.Guard;

/// <summary>
/// Catches recursive starts: a launcher started from inside one of its own workers (a worker script that
/// runs `launcher run`) would pass the lock if it used another runtime directory. A variable whose holder is
/// dead is ignored with a note: a stale variable must never block a start.
/// </summary>
internal static class EnvironmentGuard
{
    /// <summary>Throws when a live launcher of the same instance is our ancestor; returns a note to log otherwise.</summary>
    public static EnvironmentGuardNote? Check(string instance, IProcessTable processes)
    {
        var raw = Environment.GetEnvironmentVariable(EnvironmentNames.Guard);
        if (string.IsNullOrEmpty(raw))
            return null;

        var guard = LauncherGuardValue.Parse(raw);
        if (guard is null)
            return new EnvironmentGuardNote(EnvironmentGuardNoteKind.Malformed, raw, 0, null);

        var identity = new ProcessIdentity(guard.Pid, guard.StartTicks);
        if (!processes.IsAlive(identity))
            return new EnvironmentGuardNote(EnvironmentGuardNoteKind.Stale, raw, guard.Pid, guard.Instance);
        if (!string.Equals(guard.Instance, instance, StringComparison.Ordinal))
            return new EnvironmentGuardNote(EnvironmentGuardNoteKind.OtherInstance, raw, guard.Pid, guard.Instance);

        var ancestor = processes.Get(guard.Pid);
        throw GuardHeldException.RecursiveStart(
            instance, new GuardHolder(guard.Pid, guard.StartTicks, processes.StartTimeOf(guard.StartTicks), ancestor?.CommandText ?? "", ConfigFile: ""));
    }

    /// <summary>The value this launcher hands to its workers.</summary>
    public static LauncherGuardValue ForSelf(string instance, IProcessTable processes) =>
        new(instance, Environment.ProcessId, processes.ReadStartTicks(Environment.ProcessId) ?? 0);
}
