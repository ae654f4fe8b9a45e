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
        var report = await FromLauncherAsync(view) ?? await DiscoverAsync(view);

        var expected = expect ?? report.Expected;
        var ok = report.Answered == expected && report.Workers.Count == expected;
        report = report with { Expected = expected, Ok = ok };
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(report, PingJson.Default.PingReport));
        }
        else
        {
            foreach (var answer in report.Workers)
                Console.WriteLine(answer.Answered ? $"{answer.Node}#{answer.Pid}: pong" : $"{answer.Node ?? "?"}#{answer.Pid}: NO ANSWER ({answer.Problem})");
            Console.WriteLine($"{report.Answered}/{report.Workers.Count} answered, expected {expected}: {(ok ? "ok" : "MISMATCH")}");
        }

        return ok ? ExitCodes.Ok : ExitCodes.VerificationFailed;
    }

    /// <summary>The running launcher's pings of its workers; null when none runs or it does not answer in time.</summary>
    private static async Task<PingReport?> FromLauncherAsync(InstanceView view)
    {
        using var client = await ControlClient.ConnectAsync(view, CancellationToken.None);
        if (client is null)
            return null;
        // Rounds of at most ControlPing.MaxParallel pings, each up to ping.timeoutSeconds, and a margin.
        var rounds = (view.Spec.Workers + ControlPing.MaxParallel - 1) / ControlPing.MaxParallel;
        var deadline = view.Spec.Ping.Timeout * Math.Max(1, rounds) + TimeSpan.FromSeconds(2);
        if (await client.RequestAsync("ping", deadline, CancellationToken.None) is not { } line)
            return null;
        try
        {
            var report = JsonSerializer.Deserialize(line, ControlWireJson.Default.PingReport);
            return report?.Instance == view.Spec.Instance ? report : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

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
