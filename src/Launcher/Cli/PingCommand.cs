using System.Globalization;
using System.Text;
using System.Text.Json;
using Launcher.Control;

namespace Launcher.Cli;

/// <summary>
/// `launcher ping [--expect N] [--json]`: pings every worker of the instance; exit 0 only when the count matches. The
/// count expected by default is the one the running launcher runs (its effective spec: 1 under --debug), else the
/// config's. A running launcher pings its own workers, in parallel, and answers over its control socket; when none
/// runs or answers, the command finds the workers itself and pings them.
/// </summary>
internal static class PingCommand
{
    public static async Task<int> ExecuteAsync(string? configPath, int? expect, bool json)
    {
        var view = InstanceView.Open(configPath);
        Strays.RuntimeDirectoryGate.Require(view.Paths, view.Platform);
        using var reply = FromLauncher(view);
        var fromLauncher = reply is null ? null : WireReports.Ping(reply.Document.RootElement);
        var report = fromLauncher ?? await DiscoverAsync(view);

        var expected = expect ?? report.Expected;
        var ok = report.Answered == expected && report.Workers.Count == expected;
        report = report with { Expected = expected, Ok = ok };
        if (json)
        {
            Console.WriteLine(fromLauncher is not null ? AsPrinted(reply!, expected, ok) : JsonSerializer.Serialize(report, PingJson.Default.PingReport));
        }
        else
        {
            foreach (var answer in report.Workers)
                Console.WriteLine(answer.Answered ? $"{answer.Node}#{answer.Pid}: pong" : $"{answer.Node ?? "?"}#{answer.Pid}: NO ANSWER ({answer.Problem})");
            Console.WriteLine($"{report.Answered}/{report.Workers.Count} answered, expected {expected}: {(ok ? "ok" : "MISMATCH")}");
        }

        return ok ? ExitCodes.Ok : ExitCodes.VerificationFailed;
    }

    /// <summary>The running launcher's pings of its workers; null when none runs, it does not answer in time, or the answer is about another instance.</summary>
    private static ControlAnswer? FromLauncher(InstanceView view)
    {
        using var client = ControlClient.Connect(view);
        if (client is null)
            return null;
        // Rounds of at most ControlPing.MaxParallel pings, each up to ping.timeoutSeconds, and a margin.
        var rounds = (view.Spec.Workers + ControlPing.MaxParallel - 1) / ControlPing.MaxParallel;
        var deadline = view.Spec.Ping.Timeout * Math.Max(1, rounds) + TimeSpan.FromSeconds(2);
        if (client.Request("ping", deadline) is not { } line)
            return null;
        return ControlAnswer.Parse(line, view.Spec.Instance);
    }

    // The launcher's report as it sent it, with this command's count (--expect) and verdict: no serializer metadata.
    private static string AsPrinted(ControlAnswer reply, int expected, bool ok) =>
        IndentedJson.Format(Encoding.UTF8.GetBytes(reply.Line), new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["expected"] = expected.ToString(CultureInfo.InvariantCulture),
            ["ok"] = ok ? "true" : "false",
        });

    private static async Task<PingReport> DiscoverAsync(InstanceView view)
    {
        var pinger = view.Pinger();
        var units = view.Finder.Find().Units;
        var answers = await Task.WhenAll(units.Select(async unit =>
        {
            var outcome = unit.Pid is { } pid
                ? await pinger.PingAsync(unit.Node, pid, unit.Registration?.Socket, 0, CancellationToken.None)
                : Verify.PingOutcome.Silent("no process");
            return new PingEntry(unit.Node ?? outcome.Node, unit.Pid ?? 0, outcome.Answered, outcome.Problem, unit.FoundBy);
        }));

        var expected = view.ExpectedWorkers(view.LiveStatus(view.LiveHolder()));
        var answered = answers.Count(a => a.Answered);
        return new PingReport(view.Spec.Instance, expected, answered, answered == expected && answers.Length == expected, answers, StatusReport.FromDiscovery);
    }
}
