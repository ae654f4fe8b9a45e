using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Launcher.Tests.Support;

/// <summary>
/// The one <c>launcher.json</c> writer of the tests: typed keys with the tests' defaults (SampleWorkers ticking
/// every second, logs in <c>logs/</c>, a 60 s start timeout (a loaded 2-core machine starts eight .NET workers slowly), a 10 s stop grace), written into a sandbox with the
/// sandbox's instance unless <see cref="Instance"/> says otherwise. Keys left null are not written, so the
/// launcher's own defaults apply. <see cref="Extra"/> adds keys this record does not know (a new schema key, or
/// a wrong type on purpose).
/// </summary>
internal sealed record LauncherConfig
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The instance; null: the sandbox's.</summary>
    public string? Instance { get; init; }

    /// <summary>argv of every worker; default: the built SampleWorker with <c>--tick-seconds 1</c>.</summary>
    public IReadOnlyList<string> Command { get; init; } = [Repo.SampleWorkerExe, "--tick-seconds", "1"];

    public int Workers { get; init; } = 1;
    public string? LogDir { get; init; } = "logs";
    public string? WorkingDirectory { get; init; }
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    public double? StartTimeoutSeconds { get; init; } = 60;
    public double? StopGraceSeconds { get; init; } = 10;

    /// <summary><c>strays.match</c>; null: no <c>strays</c> key.</summary>
    public IReadOnlyList<string>? StrayPatterns { get; init; }

    /// <summary>The <c>ping</c> section (anonymous object or dictionary, camelCase), or null.</summary>
    public object? Ping { get; init; }

    /// <summary>The <c>restart</c> section, or null.</summary>
    public object? Restart { get; init; }

    /// <summary>The <c>onWorkerExit</c> section, or null.</summary>
    public object? OnWorkerExit { get; init; }

    /// <summary>Further keys, written last (they win over the typed ones).</summary>
    public IReadOnlyDictionary<string, object?>? Extra { get; init; }

    /// <summary><paramref name="workers"/> SampleWorkers with <c>--tick-seconds 1</c> and <paramref name="flags"/> (misbehaviour: <c>--crash-after 1</c>...).</summary>
    public static LauncherConfig SampleWorkers(int workers = 1, params string[] flags) =>
        new() { Command = [Repo.SampleWorkerExe, "--tick-seconds", "1", .. flags], Workers = workers };

    /// <summary>The config as JSON, for <paramref name="sandbox"/>.</summary>
    public JsonObject ToJson(Sandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        var json = new JsonObject
        {
            ["instance"] = Instance ?? sandbox.Instance,
            ["command"] = new JsonArray([.. Command.Select(arg => JsonValue.Create(arg))]),
            ["workers"] = Workers,
        };
        Put(json, "logDir", LogDir);
        Put(json, "workingDirectory", WorkingDirectory);
        Put(json, "environment", Environment);
        Put(json, "startTimeoutSeconds", StartTimeoutSeconds);
        Put(json, "stopGraceSeconds", StopGraceSeconds);
        if (StrayPatterns is not null)
            json["strays"] = new JsonObject { ["match"] = new JsonArray([.. StrayPatterns.Select(p => JsonValue.Create(p))]) };
        Put(json, "ping", Ping);
        Put(json, "restart", Restart);
        Put(json, "onWorkerExit", OnWorkerExit);
        foreach (var (key, value) in Extra ?? new Dictionary<string, object?>())
            Put(json, key, value, overwrite: true);
        return json;
    }

    /// <summary>Writes the config to <paramref name="path"/> (default: the sandbox's <c>launcher.json</c>); returns the path.</summary>
    public string WriteTo(Sandbox sandbox, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        path ??= sandbox.ConfigPath;
        File.WriteAllText(path, ToJson(sandbox).ToJsonString(Indented));
        return path;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Workers} x {string.Join(' ', Command)}");

    private static void Put(JsonObject json, string key, object? value, bool overwrite = false)
    {
        if (value is null && !overwrite)
            return;
        json[key] = value switch
        {
            null => null,
            JsonNode node => node.DeepClone(),
            _ => JsonSerializer.SerializeToNode(value, Sandbox.JsonOptions),
        };
    }
}
