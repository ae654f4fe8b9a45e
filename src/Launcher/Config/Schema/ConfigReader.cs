using System.Text.Json;
using Launcher.Exceptions;

namespace Launcher.Config.Schema;

/// <summary>
/// Walks a config document with <see cref="ConfigSchema"/>: every key must be known, every value and list element of
/// its type. The path of an error is built during the walk (<c>strays.match[0]</c>), never recovered from a message.
/// Keys match case-insensitively (as the configuration binder did); a key given twice is an error.
/// </summary>
internal static class ConfigReader
{
    private static readonly Dictionary<string, ConfigKey> Keys = new(StringComparer.OrdinalIgnoreCase);

    // Section as written (any case) -> as the schema spells it.
    private static readonly Dictionary<string, string> Sections = new(StringComparer.OrdinalIgnoreCase);

    // Plain loops, not LINQ: every command reads the config, and LINQ's generic code here was most of this type's
    // set-up at each start (issue 12, part 3).
    static ConfigReader()
    {
        foreach (var key in ConfigSchema.All)
        {
            Keys.Add(key.Path, key);
            if (key.Path.LastIndexOf('.') is var dot and > 0)
                Sections.TryAdd(key.Path[..dot], key.Path[..dot]);
        }
    }

    /// <summary>Parses and type-checks <paramref name="json"/>; <paramref name="name"/> is the file name for JSON syntax errors.</summary>
    public static ConfigValues Read(ReadOnlyMemory<byte> json, string name)
    {
        using var document = Parse(json, name);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new ConfigException(name, $"must be a JSON object {{ ... }}, not {JsonShape.Describe(root)}");

        var values = new Dictionary<ConfigKey, object>();
        var sections = new HashSet<string>(StringComparer.Ordinal);
        ReadSection(root, "", values, sections);
        return new ConfigValues(values, sections);
    }

    private static void ReadSection(JsonElement section, string prefix, Dictionary<ConfigKey, object> values, HashSet<string> sections)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in section.EnumerateObject())
        {
            var written = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            if (!seen.Add(property.Name))
                throw new ConfigException(written, "is set twice (key names are not case-sensitive)");

            var value = property.Value;
            if (Sections.TryGetValue(written, out var sectionPath))
            {
                if (value.ValueKind == JsonValueKind.Null)
                    continue;
                if (value.ValueKind != JsonValueKind.Object)
                    throw JsonShape.Mismatch(sectionPath, value, "an object { ... }");
                sections.Add(sectionPath);
                ReadSection(value, sectionPath, values, sections);
                continue;
            }

            if (!Keys.TryGetValue(written, out var key))
                throw new ConfigException(written, "unknown key; see README.md \"Configuration\" for the keys launcher.json takes");

            // A null value means "not set": the default applies.
            if (value.ValueKind != JsonValueKind.Null)
                values[key] = key.Read(value, key.Path);
        }
    }

    // The same leniency as the configuration system's JSON provider had: comments and trailing commas are fine.
    private static JsonDocument Parse(ReadOnlyMemory<byte> json, string name)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            var reason = ex.Message;
            var cut = reason.IndexOf(" Path:", StringComparison.Ordinal) is var p and >= 0 ? p : reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0)
                reason = reason[..cut];
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}" : "";
            throw new ConfigException(name, $"is not valid JSON{where}: {reason}", ex);
        }
    }
}
