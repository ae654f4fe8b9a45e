using System.Globalization;
using Launcher.Platform;

namespace Launcher.Kill;

/// <summary>
/// What `launcher stop` checks once the launcher has exited: is anything of the instance still running? Workers of
/// every uid count (a privilege-dropped worker is exactly the one a stop used to miss), so a worker that could not
/// be stopped is a loud failure, never a silent "stopped". It only looks; it kills nothing.
/// </summary>
internal static class StopSurvivors
{
    /// <summary>One line naming the survivors, or null when none is left.</summary>
    public static string? Describe(IProcessTable processes, string instance)
    {
        var survivors = processes.Snapshot()
            .Where(p => !p.IsZombie && p.Pid != Environment.ProcessId)
            .Where(p => processes.ReadMarkers(p.Pid) is { Role: not "hook" } markers && markers.Instance == instance)
            .ToList();
        if (survivors.Count == 0)
            return null;
        return string.Join(", ", survivors.Take(10).Select(p =>
            $"pid {p.Pid.ToString(CultureInfo.InvariantCulture)} uid {p.UserId.ToString(CultureInfo.InvariantCulture)} ({(p.CommandText.Length <= 60 ? p.CommandText : p.CommandText[..60] + "...")})"))
            + (survivors.Count > 10 ? $" and {survivors.Count - 10} more" : "");
    }
}
