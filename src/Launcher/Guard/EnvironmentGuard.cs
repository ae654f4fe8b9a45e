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
    public static string? Check(string instance, IProcessTable processes)
    {
        var raw = Environment.GetEnvironmentVariable(EnvironmentNames.Guard);
        if (string.IsNullOrEmpty(raw))
            return null;

        var guard = LauncherGuardValue.Parse(raw);
        if (guard is null)
            return $"ignoring malformed {EnvironmentNames.Guard}='{raw}'";

        var identity = new ProcessIdentity(guard.Pid, guard.StartTicks);
        if (!processes.IsAlive(identity))
            return $"ignoring stale {EnvironmentNames.Guard} of launcher pid {guard.Pid}: that launcher is gone";
        if (!string.Equals(guard.Instance, instance, StringComparison.Ordinal))
            return $"started under launcher pid {guard.Pid} of instance '{guard.Instance}'; running instance '{instance}' beside it";

        var holder = processes.Get(guard.Pid);
        throw new GuardHeldException(
            $"this launcher runs inside a worker of launcher pid {guard.Pid} (instance '{instance}', started " +
            $"{processes.StartTimeOf(guard.StartTicks).ToLocalTime():yyyy-MM-dd HH:mm:ss}, command line: {holder?.CommandText}); " +
            $"a recursive start would duplicate its workers. Unset {EnvironmentNames.Guard} only if that is really intended.");
    }

    /// <summary>The value this launcher hands to its workers.</summary>
    public static LauncherGuardValue ForSelf(string instance, IProcessTable processes) =>
        new(instance, Environment.ProcessId, processes.ReadStartTicks(Environment.ProcessId) ?? 0);
}
