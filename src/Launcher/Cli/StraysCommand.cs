using System.Text.Json;
using System.Text.Json.Serialization;
using Launcher.Kill;

namespace Launcher.Cli;

/// <summary>
/// `launcher strays [--kill] [--json]`: lists workers of the instance that no live launcher owns (changing
/// nothing), or kills their trees. Workers of a running launcher are not strays and are never touched here.
/// </summary>
internal static class StraysCommand
{
    public static async Task<int> ExecuteAsync(string? configPath, bool kill, bool json)
    {
        var view = InstanceView.Open(configPath);
        var holder = view.LiveHolder();
        var discovery = view.Finder.Find();
        var ownedGuardPrefix = holder is null ? null : $"{view.Spec.Instance}:{holder.Pid}:{holder.StartTicks}";
        var strays = discovery.Units.Where(u => ownedGuardPrefix is null || u.Guard != ownedGuardPrefix).ToList();

        var entries = strays.Select(u => new StrayEntry(u.Node, u.Pid ?? 0, u.Members.Count, u.FoundBy, u.Root?.CommandText ?? "")).ToList();
        var stale = discovery.Stale.Select(s => $"{s.Node ?? Path.GetFileName(s.File)}: {s.Reason}").ToList();
        List<string> killed = [];
        if (kill)
        {
            var results = await new TreeKiller(view.Platform.Processes, view.Platform.Signals)
                .KillAsync(strays.Select(u => (u.Display, u.Members)).ToList(), view.Spec.StopGrace, CancellationToken.None);
            killed = results.Select(r => r.ToString()).ToList();
            foreach (var file in discovery.Stale.Select(s => s.File).Concat(strays.Where(u => u.Registration is not null).Select(u => view.Paths.RegistrationFile(u.Registration!.Pid))))
                File.Delete(file);
        }

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new StrayReport(view.Spec.Instance, entries, stale, killed), StrayJson.Default.StrayReport));
        }
        else
        {
            if (entries.Count == 0)
                Console.WriteLine($"no stray workers of instance '{view.Spec.Instance}'");
            foreach (var entry in entries)
                Console.WriteLine($"stray {entry.Node ?? "(no node)"} pid {entry.Pid}: {entry.TreeSize} process(es), found by {entry.FoundBy}: {entry.CommandLine}");
            foreach (var line in stale)
                Console.WriteLine($"stale registration {line}{(kill ? " (removed)" : "")}");
            foreach (var line in killed)
                Console.WriteLine($"killed {line}");
            if (!kill && entries.Count > 0)
                Console.WriteLine("nothing was changed; `launcher strays --kill` kills these trees");
        }

        return ExitCodes.Ok;
    }
}

internal sealed record StrayEntry(
    [property: JsonPropertyName("node")] string? Node,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("treeSize")] int TreeSize,
    [property: JsonPropertyName("foundBy")] string FoundBy,
    [property: JsonPropertyName("commandLine")] string CommandLine);

internal sealed record StrayReport(
    [property: JsonPropertyName("instance")] string Instance,
    [property: JsonPropertyName("strays")] IReadOnlyList<StrayEntry> Strays,
    [property: JsonPropertyName("staleRegistrations")] IReadOnlyList<string> StaleRegistrations,
    [property: JsonPropertyName("killed")] IReadOnlyList<string> Killed);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(StrayReport))]
internal sealed partial class StrayJson : JsonSerializerContext;
