using System.Text.Json;
using System.Text.Json.Serialization;

namespace Launcher.Cli;

/// <summary>
/// `launcher ping [--expect N] [--json]`: pings every worker of the instance; exit 0 only when the count matches. The
/// count expected by default is the one the running launcher published (its effective spec: 1 under --debug), else
/// the config's.
/// </summary>
internal static class PingCommand
{
    public static async Task<int> ExecuteAsync(string? configPath, int? expect, bool json)
    {
        var view = InstanceView.Open(configPath);
        Strays.RuntimeDirectoryGate.Require(view.Paths, view.Platform);
        var pinger = view.Pinger();
        var units = view.Finder.Find().Units;
        var answers = await Task.WhenAll(units.Select(async unit =>
        {
            var outcome = unit.Pid is { } pid
                ? await pinger.PingAsync(unit.Node, pid, unit.Registration?.Socket, 0, CancellationToken.None)
                : Verify.PingOutcome.Silent("no process");
            return new PingEntry(unit.Node ?? outcome.Node, unit.Pid ?? 0, outcome.Answered, outcome.Problem, unit.FoundBy);
        }));

        var answered = answers.Count(a => a.Answered);
        var expected = expect ?? view.ExpectedWorkers(view.LiveStatus(view.LiveHolder()));
        var ok = answered == expected && answers.Length == expected;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new PingReport(view.Spec.Instance, expected, answered, ok, answers), PingJson.Default.PingReport));
        }
        else
        {
            foreach (var answer in answers)
                Console.WriteLine(answer.Answered ? $"{answer.Node}#{answer.Pid}: pong" : $"{answer.Node ?? "?"}#{answer.Pid}: NO ANSWER ({answer.Problem})");
            Console.WriteLine($"{answered}/{answers.Length} answered, expected {expected}: {(ok ? "ok" : "MISMATCH")}");
        }

        return ok ? ExitCodes.Ok : ExitCodes.VerificationFailed;
    }
}

internal sealed record PingEntry(
    [property: JsonPropertyName("node")] string? Node,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("answered")] bool Answered,
    [property: JsonPropertyName("problem")] string? Problem,
    [property: JsonPropertyName("foundBy")] string FoundBy);

internal sealed record PingReport(
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("expected")] int Expected,
    [property: JsonPropertyName("answered")] int Answered,
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("workers")] IReadOnlyList<PingEntry> Workers);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(PingReport))]
internal sealed partial class PingJson : JsonSerializerContext;
