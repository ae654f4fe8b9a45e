using System.Globalization;
using Launcher.Control;

namespace Launcher.Cli;

/// <summary>The words of `launcher status` for eyes, the same on a terminal (Spectre, coloured) and in a pipe (plain).</summary>
internal static class StatusLines
{
    public static readonly string[] Columns = ["NODE", "PID", "UPTIME", "LAST PING", "RESTARTS", "STATE", "LOG"];

    /// <summary>The launcher line and the lease and census lines under the instance line.</summary>
    public static IEnumerable<string> Header(StatusReport report, DateTimeOffset now)
    {
        yield return report.Launcher is { } holder
            ? $"launcher   pid {holder.Pid}, started {holder.StartedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}, {holder.CommandLine}"
            : "launcher   none (start one with `launcher run`)";
        foreach (var line in report.Coordination?.Describe() ?? [])
            yield return line;
        foreach (var line in report.Census?.Describe(now) ?? [])
            yield return line;
    }

    /// <summary>One worker's cells, in the order of <see cref="Columns"/>.</summary>
    public static string[] Row(StatusEntry worker, DateTimeOffset now) =>
    [
        worker.Node ?? "?",
        worker.Pid.ToString(CultureInfo.InvariantCulture),
        Age(worker.UptimeSeconds),
        worker.LastPingAt is { } ping ? Age((long)(now - ping).TotalSeconds) + " ago" : "-",
        worker.Restarts.ToString(CultureInfo.InvariantCulture),
        worker.State,
        worker.LogFile is { } log ? ShortPath(log) : "-",
    ];

    public static bool RightAligned(string column) => column is "PID" or "RESTARTS";

    // The table is for eyes: a log under the current directory is shown relative to it (JSON keeps the full path).
    private static string ShortPath(string path)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    private static string Age(long? seconds) => seconds switch
    {
        null => "-",
        < 60 => $"{seconds}s",
        < 3600 => $"{seconds / 60}m{seconds % 60:00}s",
        _ => $"{seconds / 3600}h{seconds % 3600 / 60:00}m",
    };
}
