using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Launcher.Census;

/// <summary>
/// The census output format (docs/PROTOCOL.md, "Census"): one node per line, either a bare node name
/// (<c>api123@host</c>) or a JSON object on one line, <c>{"node":"api123@host","pid":123,"host":"host",
/// "heartbeat":"2026-11-29T21:00:00Z","queues":["default"]}</c>, every field but <c>node</c> optional and unknown
/// fields ignored. Empty lines are ignored. Any other line makes the whole output not a census: a half-understood
/// list could hide a consumer, and "exactly N" cannot be judged from it.
/// </summary>
internal static partial class CensusOutput
{
    private const int QuotedChars = 80;

    public static CensusParse Parse(string output)
    {
        var entries = new List<CensusEntry>();
        var seen = new HashSet<CensusEntry>(EntryIdentity.Instance);
        var lines = output.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
                continue;
            var number = i + 1;
            CensusEntry entry;
            if (line[0] == '{')
            {
                if (ParseObject(line) is not { } parsed)
                    return CensusParse.Failed($"line {number} is not a JSON object with a \"node\" string: {Quote(line)}");
                if (parsed.Entry is null)
                    return CensusParse.Failed($"line {number}: {parsed.Problem}: {Quote(line)}");
                entry = parsed.Entry;
            }
            else if (BareNode().IsMatch(line))
            {
                entry = new CensusEntry(line);
            }
            else
            {
                return CensusParse.Failed($"line {number} is neither a node name (name@host) nor a JSON object: {Quote(line)}");
            }

            // The same consumer printed twice (a census merging two replies) is one; the same name with another pid is not.
            if (seen.Add(entry))
                entries.Add(entry);
        }

        return new CensusParse(entries, null);
    }

    private static (CensusEntry? Entry, string? Problem)? ParseObject(string line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("node", out var nodeElement) || nodeElement.ValueKind != JsonValueKind.String)
                return null;
            var node = nodeElement.GetString()!.Trim();
            if (node.Length == 0 || node.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                return (null, "\"node\" must be a name without spaces");

            int? pid = null;
            if (root.TryGetProperty("pid", out var pidElement) && pidElement.ValueKind != JsonValueKind.Null)
            {
                if (pidElement.ValueKind != JsonValueKind.Number || !pidElement.TryGetInt32(out var value) || value <= 0)
                    return (null, "\"pid\" must be a positive whole number");
                pid = value;
            }

            string? host = null;
            if (root.TryGetProperty("host", out var hostElement) && hostElement.ValueKind != JsonValueKind.Null)
            {
                if (hostElement.ValueKind != JsonValueKind.String)
                    return (null, "\"host\" must be a string");
                host = hostElement.GetString()!.Trim();
                if (host.Length == 0)
                    host = null;
            }

            DateTimeOffset? heartbeat = null;
            if (root.TryGetProperty("heartbeat", out var beat) && beat.ValueKind != JsonValueKind.Null)
            {
                heartbeat = ReadTime(beat);
                if (heartbeat is null)
                    return (null, "\"heartbeat\" must be an ISO 8601 time (2026-11-29T21:00:00Z) or Unix seconds");
            }

            List<string>? queues = null;
            if (root.TryGetProperty("queues", out var queuesElement) && queuesElement.ValueKind != JsonValueKind.Null)
            {
                if (queuesElement.ValueKind != JsonValueKind.Array || queuesElement.EnumerateArray().Any(q => q.ValueKind != JsonValueKind.String))
                    return (null, "\"queues\" must be an array of strings");
                queues = queuesElement.EnumerateArray().Select(q => q.GetString()!).ToList();
            }

            return (new CensusEntry(node, pid, host, heartbeat, queues), null);
        }
    }

    private static DateTimeOffset? ReadTime(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds) && seconds is > 0 and < 1e11)
            return DateTimeOffset.UnixEpoch.AddSeconds(seconds);
        // A time without an offset is taken as UTC: brokers store UTC (RQ's last_heartbeat, Celery's timestamps).
        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            return time;
        return null;
    }

    private static string Quote(string line) =>
        "'" + (line.Length <= QuotedChars ? line : line[..QuotedChars] + "...") + "'";

    // name@host: no spaces, control characters, quotes, brackets or braces; what Celery (celery@web-1), RQ (api12@web-1) and our own names look like.
    [GeneratedRegex("""^[^\s\p{C}@"'{}\[\]<>]+@[^\s\p{C}@"'{}\[\]<>]+\z""")]
    private static partial Regex BareNode();

    /// <summary>Two lines are the same consumer when they say the same: node, pid and host.</summary>
    private sealed class EntryIdentity : IEqualityComparer<CensusEntry>
    {
        public static readonly EntryIdentity Instance = new();

        public bool Equals(CensusEntry? x, CensusEntry? y) =>
            x is not null && y is not null && x.Node == y.Node && x.Pid == y.Pid && string.Equals(x.EffectiveHost, y.EffectiveHost, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode(CensusEntry obj) => StringComparer.Ordinal.GetHashCode(obj.Node);
    }
}
