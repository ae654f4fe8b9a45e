using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Launcher.Supervise;

namespace Launcher.Cli;

/// <summary>`launcher status [--json]`: the guard holder and each worker (node, pid, uptime, last ping, log file).</summary>
internal static class StatusCommand
{
    public static int Execute(string? configPath, bool json)
    {
        var view = InstanceView.Open(configPath);
        var holder = view.LiveHolder();
        var published = holder is null ? null : StatusFile.TryRead(view.Paths.StatusFile);
        var now = DateTimeOffset.UtcNow;

        var found = view.Finder.Find().Units;
        var workers = found.Select(unit =>
        {
            var known = published?.Workers.FirstOrDefault(w => w.Pid == unit.Pid);
            var started = unit.Root is { } root ? view.Platform.Processes.StartTimeOf(root.Identity.StartTicks) : (DateTimeOffset?)null;
            return new StatusEntry(
                unit.Node,
                unit.Pid ?? 0,
                started is null ? null : (long)(now - started.Value).TotalSeconds,
                known?.LastPingAt,
                known?.LogFile,
                known?.Restarts ?? 0,
                known is not null ? "supervised" : "STRAY");
        }).ToList();

        var report = new StatusReport(
            view.Spec.Instance,
            holder is null ? null : new HolderEntry(holder.Pid, holder.StartedAt, holder.CommandLine),
            published?.State ?? (holder is null ? "not running" : "starting"),
            workers);

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(report, StatusJsonContext.Default.StatusReport));
            return ExitCodes.Ok;
        }

        var colour = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
        string Paint(string text, string code) => colour ? $"\u001b[{code}m{text}\u001b[0m" : text;

        Console.WriteLine($"instance   {report.Instance}: {Paint(report.State, holder is null ? "33" : "32")}");
        Console.WriteLine(holder is null
            ? "launcher   none"
            : $"launcher   pid {holder.Pid}, started {holder.StartedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}, {holder.CommandLine}");
        if (workers.Count == 0)
        {
            Console.WriteLine("workers    none");
            return ExitCodes.Ok;
        }

        var rows = workers.Select(w => new[]
        {
            w.Node ?? "?", w.Pid.ToString(CultureInfo.InvariantCulture), FormatAge(w.UptimeSeconds),
            w.LastPingAt is { } ping ? FormatAge((long)(now - ping).TotalSeconds) + " ago" : "-",
            w.Restarts.ToString(CultureInfo.InvariantCulture), w.State, w.LogFile ?? "-",
        }).Prepend(["NODE", "PID", "UPTIME", "LAST PING", "RESTARTS", "STATE", "LOG"]).ToList();
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            var line = string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd();
            Console.WriteLine(i == 0 ? Paint(line, "1") : row[5] == "STRAY" ? Paint(line, "31") : line);
        }

        return ExitCodes.Ok;
    }

    private static string FormatAge(long? seconds) => seconds switch
    {
        null => "-",
        < 60 => $"{seconds}s",
        < 3600 => $"{seconds / 60}m{seconds % 60:00}s",
        _ => $"{seconds / 3600}h{seconds % 3600 / 60:00}m",
    };
}

internal sealed record HolderEntry(
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("startedAt")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("commandLine")] string CommandLine);

internal sealed record StatusEntry(
    [property: JsonPropertyName("node")] string? Node,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("uptimeSeconds")] long? UptimeSeconds,
    [property: JsonPropertyName("lastPingAt")] DateTimeOffset? LastPingAt,
    [property: JsonPropertyName("logFile")] string? LogFile,
    [property: JsonPropertyName("restarts")] int Restarts,
    [property: JsonPropertyName("state")] string State);

internal sealed record StatusReport(
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("launcher")] HolderEntry? Launcher,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("workers")] IReadOnlyList<StatusEntry> Workers);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(StatusReport))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
