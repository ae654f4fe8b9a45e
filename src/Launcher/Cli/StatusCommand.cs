using System.Text;
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
    // Beyond the reply itself: with coordination.kind redis the launcher reads the lease first (its own timeouts).
    private static readonly TimeSpan ReplyDeadline = TimeSpan.FromSeconds(2);

    // Synchronous on purpose: with a launcher answering, nothing here starts a thread (issue 12, part 3).
    public static int Execute(string? configPath, bool json)
    {
        var view = InstanceView.Open(configPath);
        Strays.RuntimeDirectoryGate.Require(view.Paths, view.Platform);
        using var reply = FromLauncher(view);
        if (reply is not null && json && StatusText(reply) is { } text)
        {
            // The launcher's own document, printed as it sent it: no serializer metadata built for it here.
            Console.WriteLine(text);
            return ExitCodes.Ok;
        }

        var report = (reply is null ? null : WireReports.Status(reply.Document.RootElement)) ?? Discover(view);
        if (json)
            Console.WriteLine(StatusDocument.ToJson(report));
        else if (Console.IsOutputRedirected)
            PlainStatus.Write(Console.Out, report, DateTimeOffset.UtcNow);
        else
            Render(Terminal.Stdout(), report, DateTimeOffset.UtcNow);
        return ExitCodes.Ok;
    }

    /// <summary>The running launcher's own answer over its control socket; null when none runs, answers in time, or the answer is about another instance.</summary>
    private static ControlAnswer? FromLauncher(InstanceView view)
    {
        using var client = ControlClient.Connect(view);
        if (client is null)
            return null;
        var deadline = view.Spec.Coordination.Kind == CoordinationKind.Redis
            ? ReplyDeadline + LeaseTiming.ConnectTimeout * 2 + TimeSpan.FromSeconds(20)
            : ReplyDeadline;
        if (client.Request("status", deadline) is not { } line)
            return null;
        return ControlAnswer.Parse(line, view.Spec.Instance);
    }

    // Only a report is printed as it came: an answer the reader cannot take is left to discovery.
    private static string? StatusText(ControlAnswer reply)
    {
        try
        {
            return WireReports.Status(reply.Document.RootElement) is null ? null : IndentedJson.Format(Encoding.UTF8.GetBytes(reply.Line));
        }
        catch (JsonException)
        {
            return null;
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

    // A terminal: colours and borders (piped output is PlainStatus, the same facts without Spectre's cost).
    private static void Render(IAnsiConsole console, StatusReport report, DateTimeOffset now)
    {
        var stateStyle = report.Launcher is null ? new Style(Color.Yellow) : report.State == "running" ? new Style(Color.Green) : new Style(Color.Yellow);
        console.Write(new Paragraph().Append("instance   ").Append(report.Instance, new Style(decoration: Decoration.Bold)).Append(": ").Append(report.State, stateStyle));
        console.WriteLine();
        foreach (var line in StatusLines.Header(report, now))
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

        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in StatusLines.Columns)
        {
            // Only the log path may wrap on a narrow terminal; a node name split in two is unreadable.
            var header = new TableColumn(new Text(column, new Style(decoration: Decoration.Bold)));
            if (column != "LOG")
                header.NoWrap();
            table.AddColumn(StatusLines.RightAligned(column) ? header.RightAligned() : header);
        }

        foreach (var worker in report.Workers)
        {
            var stray = worker.State == "STRAY";
            var cells = StatusLines.Row(worker, now);
            table.AddRow(
                new Text(cells[0], stray ? new Style(Color.Red) : Style.Plain),
                new Text(cells[1]),
                new Text(cells[2]),
                new Text(cells[3]),
                new Text(cells[4], worker.Restarts > 0 ? new Style(Color.Yellow) : Style.Plain),
                new Text(cells[5], stray ? new Style(Color.Red, decoration: Decoration.Bold) : new Style(Color.Green)),
                new Text(cells[6], new Style(Color.Grey)));
        }

        console.Write(table);
    }
}
