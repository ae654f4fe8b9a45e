using System.Text.Json;
using System.Text.Json.Serialization;
using Launcher.Kill;
using Launcher.Strays;

namespace Launcher.Cli;

/// <summary>
/// `launcher strays [--kill] [--json]`: lists workers of the instance that no live launcher owns (changing
/// nothing), or kills their trees. Workers of a running launcher are not strays and are never touched here.
/// Processes that only a stray pattern names (not running the configured program) are listed as unconfirmed
/// candidates and never killed, with or without --kill.
/// </summary>
internal static class StraysCommand
{
    public static async Task<int> ExecuteAsync(string? configPath, bool kill, bool json)
    {
        var view = InstanceView.Open(configPath);
        RuntimeDirectoryGate.Require(view.Paths, view.Platform);
        var discovery = view.Finder.Find();
        var ownership = new Ownership(view.Platform.Processes, view.LiveHolder());
        var strays = discovery.Units.Where(u => ownership.OwnerOf(u) is null).ToList();

        var entries = strays.Select(u => new StrayEntry(u.Node, u.Pid ?? 0, u.Members.Count, u.FoundBy, u.Root?.CommandText ?? "")).ToList();
        var candidates = discovery.Candidates
            .Select(u => new CandidateEntry(u.Pid ?? 0, u.Members.Count, (u.Root is { } root ? view.Platform.Processes.ReadExecutablePath(root.Pid) : null) ?? "unknown", u.Root?.CommandText ?? ""))
            .ToList();
        var stale = discovery.Stale.Select(s => $"{s.Node ?? Path.GetFileName(s.File)}: {s.Reason}").ToList();
        List<KilledEntry> killed = [];
        if (kill)
        {
            var results = await new TreeKiller(view.Platform.Processes, view.Platform.Signals, TimeProvider.System)
                .KillAsync(strays.Select(u => (u.Display, u.Members)).ToList(), view.Spec.StopGrace, CancellationToken.None);
            killed = strays.Zip(results, (unit, result) => new KilledEntry(
                unit.Node, unit.Pid ?? 0, result.TreeSize, result.EndedBy, (long)result.Elapsed.TotalMilliseconds, result.Survivors)).ToList();

            // A SIGKILLed worker never unregisters; its registration and socket go with it (a survivor keeps its own).
            var registeredDead = strays.Zip(results).Where(p => p.First.Registration is not null && p.Second.Survivors == 0).Select(p => p.First.Registration!.Pid);
            foreach (var pid in registeredDead)
                RemoveRegistration(view.Paths.RegistrationFile(pid));
            foreach (var file in discovery.Stale.Select(s => s.File))
                RemoveRegistration(file);
        }

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new StrayReport(view.Spec.Instance, entries, candidates, stale, killed), StrayJson.Default.StrayReport));
        }
        else
        {
            if (entries.Count == 0)
                Console.WriteLine($"no stray workers of instance '{view.Spec.Instance}'");
            foreach (var entry in entries)
                Console.WriteLine($"stray {entry.Node ?? "(no node)"} pid {entry.Pid}: {entry.TreeSize} process(es), found by {entry.FoundBy}: {entry.CommandLine}");
            foreach (var candidate in candidates)
                Console.WriteLine($"unconfirmed pid {candidate.Pid}: matches strays.match but runs {candidate.Executable}, not {view.Spec.Command.Program}; never killed: {candidate.CommandLine}");
            foreach (var line in stale)
                Console.WriteLine($"stale registration {line}{(kill ? " (removed)" : "")}");
            foreach (var entry in killed)
                Console.WriteLine($"killed {entry}");
            if (!kill && entries.Count > 0)
                Console.WriteLine("nothing was changed; `launcher strays --kill` kills these trees");
        }

        if (killed.FirstOrDefault(k => k.Survivors > 0) is { } survivor)
        {
            ConsoleErrors.Write($"could not kill every process of stray {survivor}");
            return ExitCodes.Failure;
        }

        return ExitCodes.Ok;
    }

    private static void RemoveRegistration(string file)
    {
        File.Delete(file);
        File.Delete(Path.ChangeExtension(file, ".sock"));
    }
}

internal sealed record StrayEntry(
    [property: JsonPropertyName("node")] string? Node,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("treeSize")] int TreeSize,
    [property: JsonPropertyName("foundBy")] string FoundBy,
    [property: JsonPropertyName("commandLine")] string CommandLine);

/// <summary>How one stray tree ended: the signal that finished it, how long it took, and who (if anyone) survived.</summary>
internal sealed record KilledEntry(
    [property: JsonPropertyName("node")] string? Node,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("treeSize")] int TreeSize,
    [property: JsonPropertyName("endedBy")] string EndedBy,
    [property: JsonPropertyName("elapsedMs")] long ElapsedMs,
    [property: JsonPropertyName("survivors")] int Survivors)
{
    public override string ToString() =>
        $"{Node ?? "(no node)"} pid {Pid}: {TreeSize} process(es) ended by {EndedBy} in {ElapsedMs} ms" +
        (Survivors > 0 ? $", {Survivors} STILL ALIVE" : "");
}

internal sealed record StrayReport(
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("strays")] IReadOnlyList<StrayEntry> Strays,
    [property: JsonPropertyName("unconfirmed")] IReadOnlyList<CandidateEntry> Unconfirmed,
    [property: JsonPropertyName("staleRegistrations")] IReadOnlyList<string> StaleRegistrations,
    [property: JsonPropertyName("killed")] IReadOnlyList<KilledEntry> Killed);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(StrayReport))]
internal sealed partial class StrayJson : JsonSerializerContext;
