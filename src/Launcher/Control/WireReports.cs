using System.Text.Json;
using Launcher.Supervise;

namespace Launcher.Control;

/// <summary>
/// The launcher's status and ping replies read into their records for the human output, field by field from a
/// <see cref="JsonDocument"/>: the serializer's metadata for every nested record (built at first use) is most of the
/// cost of `launcher status` after the binary's own start (issue 12, part 3). The rare nested parts, the lease and the
/// census, go through the generated serializer, only when present. Null when the reply is not a report (an
/// <c>{"error":...}</c> line, or anything else): the command then falls back to discovery. The unit tests pin these
/// readers to the serializer's own output.
/// </summary>
internal static class WireReports
{
    public static StatusReport? Status(JsonElement root) => Guarded(() => ReadStatus(root));

    public static PingReport? Ping(JsonElement root) => Guarded(() => ReadPing(root));

    // A field of the wrong kind (a made-up or garbled reply) is no report, never an exception out of `status`.
    private static T? Guarded<T>(Func<T?> read)
        where T : class
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException or FormatException or JsonException)
        {
            return null;
        }
    }

    private static StatusReport? ReadStatus(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || String(root, "instance") is not { } instance
            || String(root, "state") is not { } state
            || !root.TryGetProperty("workers", out var workers) || workers.ValueKind != JsonValueKind.Array
            || !root.TryGetProperty("expected", out var expected) || expected.ValueKind != JsonValueKind.Number)
            return null;

        var holder = root.TryGetProperty("launcher", out var launcher) && launcher.ValueKind == JsonValueKind.Object
            ? new HolderEntry(launcher.GetProperty("pid").GetInt32(), launcher.GetProperty("startedAt").GetDateTimeOffset(), String(launcher, "commandLine") ?? "")
            : null;
        var entries = workers.EnumerateArray().Select(w => new StatusEntry(
            String(w, "node"),
            w.GetProperty("pid").GetInt32(),
            Number(w, "uptimeSeconds"),
            Time(w, "lastPingAt"),
            String(w, "logFile"),
            (int)(Number(w, "restarts") ?? 0),
            String(w, "state") ?? "")).ToList();
        var events = root.TryGetProperty("events", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(e => new RunEvent(
                Time(e, "time") ?? default,
                String(e, "kind") ?? "",
                String(e, "node"),
                (int?)Number(e, "pid"),
                String(e, "detail"))).ToList()
            : [];
        var coordination = root.TryGetProperty("coordination", out var lease) && lease.ValueKind == JsonValueKind.Object
            ? lease.Deserialize(ControlWireJson.Default.LeaseSnapshot)
            : null;
        var census = root.TryGetProperty("census", out var seen) && seen.ValueKind == JsonValueKind.Object
            ? seen.Deserialize(ControlWireJson.Default.CensusStatus)
            : null;
        return new StatusReport(instance, holder, state, entries, expected.GetInt32(), events, coordination, String(root, "source") ?? StatusReport.FromLauncher)
        {
            Census = census,
        };
    }

    private static PingReport? ReadPing(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || String(root, "instance") is not { } instance
            || !root.TryGetProperty("workers", out var workers) || workers.ValueKind != JsonValueKind.Array
            || Number(root, "expected") is not { } expected
            || Number(root, "answered") is not { } answered)
            return null;

        var entries = workers.EnumerateArray().Select(w => new PingEntry(
            String(w, "node"),
            w.GetProperty("pid").GetInt32(),
            w.TryGetProperty("answered", out var yes) && yes.ValueKind == JsonValueKind.True,
            String(w, "problem"),
            String(w, "foundBy") ?? "")).ToList();
        var ok = root.TryGetProperty("ok", out var okay) && okay.ValueKind == JsonValueKind.True;
        return new PingReport(instance, (int)expected, (int)answered, ok, entries, String(root, "source") ?? StatusReport.FromLauncher);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset() : null;
}
