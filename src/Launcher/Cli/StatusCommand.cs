using System.Globalization;
using System.Text.Json;
using Launcher.Control;
using Launcher.Guard.Lease;
using Launcher.Logging;
using Launcher.Strays;
using Launcher.Supervise;
using Spectre.Console;

namespace Launcher.Cli;

/// <summary>
/// `launcher status [--json]`: the guard holder and each worker (node, pid, uptime, last ping, log file). A table
/// with colours on a terminal, the same table plain when piped, JSON with the same facts for machines. The running
/// launcher answers over its control socket from memory (<see cref="StatusDocument"/>); when none runs or answers,
/// the command rebuilds the facts itself from the runtime directory and the process table.
/// </summary>
internal static class StatusCommand
{
    private static readonly string[] Columns = ["NODE", "PID", "UPTIME", "LAST PING", "RESTARTS", "STATE", "LOG"];

    // Beyond the reply itself: with coordination.kind redis the launcher reads the lease first (its own timeouts).
    private static readonly TimeSpan ReplyDeadline = TimeSpan.FromSeconds(2);

    public static async Task<int> ExecuteAsync(string? configPath, bool json)
    {
        var view = InstanceView.Open(configPath);
        Strays.RuntimeDirectoryGate.Require(view.Paths, view.Platform);
        var report = await FromLauncherAsync(view) ?? Discover(view);

        if (json)
            Console.WriteLine(StatusDocument.ToJson(report));
        else
            Render(Terminal.Stdout(), report, DateTimeOffset.UtcNow);
        return ExitCodes.Ok;
    }

    /// <summary>The running launcher's own answer over its control socket; null when none runs or it does not answer in time.</summary>
    private static async Task<StatusReport?> FromLauncherAsync(InstanceView view)
    {
        using var client = await ControlClient.ConnectAsync(view, CancellationToken.None);
        if (client is null)
            return null;
        var deadline = view.Spec.Coordination.Kind == CoordinationKind.Redis
            ? ReplyDeadline + LeaseTiming.ConnectTimeout * 2 + TimeSpan.FromSeconds(20)
            : ReplyDeadline;
        if (await client.RequestAsync("status", deadline, CancellationToken.None) is not { } line)
            return null;
        try
        {
            var report = JsonSerializer.Deserialize(line, ControlWireJson.Default.StatusReport);
            return report?.Instance == view.Spec.Instance ? report : null;
        }
        catch (JsonException)
        {
            return null; // {"error":...} or garbage: discovery still knows the truth
        }
    }

    /// <summary>No launcher answered: the facts from the runtime directory and the process table.</summary>
    private static StatusReport Discover(InstanceView view)
    {
        var holder = view.LiveHolder();
        var published = view.LiveStatus(holder);
        var now = DateTimeOffset.UtcNow;

        var found = view.Finder.Find().Units;
        var ownership = new Ownership(view.Platform.Processes, holder);
        var workers = found.Select(unit =>
        {
            var known = published?.Workers.FirstOrDefault(w => w.Pid == unit.Pid);
            var owner = ownership.OwnerOf(unit);
            var started = unit.Root is { } root ? view.Platform.Processes.StartTimeOf(root.Identity.StartTicks) : (DateTimeOffset?)null;
            return new StatusEntry(
                unit.Node,
                unit.Pid ?? 0,
                started is null ? null : (long)(now - started.Value).TotalSeconds,
                known?.LastPingAt,
                known?.LogFile is { } logFile ? LogFileSet.CurrentFile(logFile) : null, // the newest file once Serilog rolled it
                known?.Restarts ?? 0,
                StateOf(owner, holder));
        }).ToList();

        return new StatusReport(
            view.Spec.Instance,
            holder is null ? null : new HolderEntry(holder.Pid, holder.StartedAt, holder.CommandLine),
            published?.State ?? (holder is null ? "not running" : "starting"),
            workers,
            view.ExpectedWorkers(published),
            published?.Events ?? [],
            view.Spec.Coordination.Kind == CoordinationKind.Redis
                ? LeaseInspector.ReadAsync(view.Spec.Coordination, view.Spec.Instance, CancellationToken.None).GetAwaiter().GetResult()
                : null,
            StatusReport.FromDiscovery)
        {
            Census = published?.Census,
        };
    }

    // The same rule as `launcher strays`: owned by a live launcher (its guard, or its ancestry) is never STRAY,
    // also while that launcher is still starting and has published no status yet.
    private static string StateOf(LauncherOwner? owner, Guard.GuardHolder? holder) => owner switch
    {
        null => "STRAY",
        _ when holder is not null && owner.Pid == holder.Pid => "supervised",
        _ => $"supervised by pid {owner.Pid}",
    };

    private static void Render(IAnsiConsole console, StatusReport report, DateTimeOffset now)
    {
        var stateStyle = report.Launcher is null ? new Style(Color.Yellow) : report.State == "running" ? new Style(Color.Green) : new Style(Color.Yellow);
        console.Write(new Paragraph().Append("instance   ").Append(report.Instance, new Style(decoration: Decoration.Bold)).Append(": ").Append(report.State, stateStyle));
        console.WriteLine();
        console.Write(new Text(report.Launcher is { } holder
            ? $"launcher   pid {holder.Pid}, started {holder.StartedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}, {holder.CommandLine}"
            : "launcher   none (start one with `launcher run`)"));
        console.WriteLine();
        foreach (var line in report.Coordination?.Describe() ?? [])
        {
            console.Write(new Text(line));
            console.WriteLine();
        }

        foreach (var line in report.Census?.Describe(now) ?? [])
        {
            console.Write(new Text(line));
            console.WriteLine();
        }

        if (report.Workers.Count == 0)
        {
            console.Write(new Text("workers    none"));
            console.WriteLine();
            return;
        }

        var rich = Terminal.IsRich(console);
        var table = new Table().Border(rich ? TableBorder.Rounded : TableBorder.None);
        foreach (var column in Columns)
        {
            // Only the log path may wrap on a narrow terminal; a node name split in two is unreadable.
            var header = new TableColumn(new Text(column, new Style(decoration: Decoration.Bold)));
            if (column != "LOG")
                header.NoWrap();
            table.AddColumn(column is "PID" or "RESTARTS" ? header.RightAligned() : header);
        }

        foreach (var worker in report.Workers)
        {
            var stray = worker.State == "STRAY";
            table.AddRow(
                new Text(worker.Node ?? "?", stray ? new Style(Color.Red) : Style.Plain),
                new Text(worker.Pid.ToString(CultureInfo.InvariantCulture)),
                new Text(FormatAge(worker.UptimeSeconds)),
                new Text(worker.LastPingAt is { } ping ? FormatAge((long)(now - ping).TotalSeconds) + " ago" : "-"),
                new Text(worker.Restarts.ToString(CultureInfo.InvariantCulture), worker.Restarts > 0 ? new Style(Color.Yellow) : Style.Plain),
                new Text(worker.State, stray ? new Style(Color.Red, decoration: Decoration.Bold) : new Style(Color.Green)),
                new Text(worker.LogFile is { } log ? ShortPath(log) : "-", new Style(Color.Grey)));
        }

        if (rich)
        {
            console.Write(table);
            return;
        }

        // Plain: render, then drop the padding Spectre leaves at the end of each line.
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        var plain = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        plain.Profile.Width = console.Profile.Width;
        plain.Write(table);
        foreach (var line in writer.ToString().Split('\n'))
        {
            var trimmed = line.TrimEnd();
            if (trimmed.Length > 0)
                Console.Out.WriteLine(trimmed);
        }
    }

    // The table is for eyes: a log under the current directory is shown relative to it (JSON keeps the full path).
    private static string ShortPath(string path)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    private static string FormatAge(long? seconds) => seconds switch
    {
        null => "-",
        < 60 => $"{seconds}s",
        < 3600 => $"{seconds / 60}m{seconds % 60:00}s",
        _ => $"{seconds / 3600}h{seconds % 3600 / 60:00}m",
    };
}
