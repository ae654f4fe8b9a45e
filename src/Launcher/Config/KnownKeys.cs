using System.Globalization;
using System.Text.Json;
using Launcher.Exceptions;

namespace Launcher.Config;

/// <summary>
/// Every key launcher.json may hold, and the JSON type of its value. Checked on the raw JSON before binding:
/// a misspelt key would otherwise be ignored in silence and its default used, and the configuration binder
/// turns every value into a string, so <c>"workers": "3"</c> would pass for a number.
/// </summary>
internal static class KnownKeys
{
    private enum Kind
    {
        Text,
        Integer,
        Number,
        Boolean,
        Command,   // an argv array, not empty: strings (numbers are taken as their text)
        TextList,  // an array of strings, may be empty
        TextMap,   // an object of name -> string (environment)
        Section,
        Anything,
    }

    // Paths use ':' between levels, as Microsoft.Extensions.Configuration does; messages show dots.
    private static readonly Dictionary<string, Kind> Schema = new(StringComparer.OrdinalIgnoreCase)
    {
        ["$schema"] = Kind.Text,
        ["comment"] = Kind.Anything,
        ["instance"] = Kind.Text,
        ["command"] = Kind.Command,
        ["workingDirectory"] = Kind.Text,
        ["environment"] = Kind.TextMap,
        ["workers"] = Kind.Integer,
        ["logDir"] = Kind.Text,
        ["startTimeoutSeconds"] = Kind.Number,
        ["stopGraceSeconds"] = Kind.Number,
        ["logFileSizeLimitBytes"] = Kind.Integer,
        ["logFilesRetained"] = Kind.Integer,
        ["ping"] = Kind.Section,
        ["ping:command"] = Kind.Command,
        ["ping:intervalSeconds"] = Kind.Number,
        ["ping:timeoutSeconds"] = Kind.Number,
        ["ping:missedLimit"] = Kind.Integer,
        ["restart"] = Kind.Section,
        ["restart:enabled"] = Kind.Boolean,
        ["restart:initialDelaySeconds"] = Kind.Number,
        ["restart:maxDelaySeconds"] = Kind.Number,
        ["restart:resetAfterSeconds"] = Kind.Number,
        ["restart:crashLoopCount"] = Kind.Integer,
        ["restart:crashLoopWindowSeconds"] = Kind.Number,
        ["strays"] = Kind.Section,
        ["strays:match"] = Kind.TextList,
        ["onWorkerExit"] = Kind.Section,
        ["onWorkerExit:command"] = Kind.Command,
        ["onWorkerExit:timeoutSeconds"] = Kind.Number,
    };

    /// <summary>
    /// Throws a <see cref="ConfigException"/> naming the first key that is not part of the schema or whose value
    /// has the wrong JSON type. A null value means "not set" and is always accepted.
    /// </summary>
    public static void Check(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new ConfigException("launcher.json", $"must be a JSON object {{ ... }}, not {Describe(root)}");
        CheckSection(root, "");
    }

    /// <summary>A configuration path as users write it in JSON: <c>ping:intervalSeconds</c> -> <c>ping.intervalSeconds</c>, <c>command:1</c> -> <c>command[1]</c>.</summary>
    public static string Display(string path)
    {
        var parts = path.Split(':');
        var text = parts[0];
        foreach (var part in parts.Skip(1))
            text += int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? $"[{part}]" : "." + part;
        return text;
    }

    private static void CheckSection(JsonElement section, string prefix)
    {
        foreach (var property in section.EnumerateObject())
        {
            var path = prefix.Length == 0 ? property.Name : prefix + ":" + property.Name;
            if (!Schema.TryGetValue(path, out var kind))
                throw new ConfigException(Display(path), "unknown key; see README.md \"Configuration\" for the keys launcher.json takes");

            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Null)
                continue;

            switch (kind)
            {
                case Kind.Section:
                    Expect(value.ValueKind == JsonValueKind.Object, path, value, "an object { ... }");
                    CheckSection(value, path);
                    break;
                case Kind.Text:
                    Expect(value.ValueKind == JsonValueKind.String, path, value, "a string");
                    break;
                case Kind.Integer:
                    Expect(value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _), path, value, "a whole number");
                    break;
                case Kind.Number:
                    Expect(value.ValueKind == JsonValueKind.Number, path, value, "a number");
                    break;
                case Kind.Boolean:
                    Expect(value.ValueKind is JsonValueKind.True or JsonValueKind.False, path, value, "true or false");
                    break;
                case Kind.Command or Kind.TextList:
                    const string Example = "an array of strings, e.g. [\"./worker\", \"--name\", \"{node}\"]";
                    Expect(value.ValueKind == JsonValueKind.Array, path, value, kind == Kind.Command ? Example : "an array of strings");
                    Expect(kind != Kind.Command || value.GetArrayLength() > 0, path, value, "the program and its arguments, " + Example);
                    var index = 0;
                    foreach (var item in value.EnumerateArray())
                    {
                        Expect(item.ValueKind is JsonValueKind.String or JsonValueKind.Number, $"{path}:{index}", item, "a string");
                        index++;
                    }

                    break;
                case Kind.TextMap:
                    Expect(value.ValueKind == JsonValueKind.Object, path, value, "an object of names to strings, e.g. { \"QUEUE\": \"default\" }");
                    foreach (var entry in value.EnumerateObject())
                    {
                        // execve takes "NAME=value" strings: a name with '=' or NUL, or no name, cannot be passed on.
                        if (entry.Name.Length == 0 || entry.Name.Contains('=', StringComparison.Ordinal) || entry.Name.Contains('\0', StringComparison.Ordinal))
                            throw new ConfigException(Display(path) + "." + entry.Name.Replace("\0", "\\0", StringComparison.Ordinal), "is not a valid environment variable name (it must be non-empty, without '=' or NUL)");
                        Expect(
                            entry.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False,
                            path + ":" + entry.Name,
                            entry.Value,
                            "a string");
                    }

                    break;
                case Kind.Anything:
                    break;
            }
        }
    }

    private static void Expect(bool ok, string path, JsonElement value, string expected)
    {
        if (!ok)
            throw new ConfigException(Display(path), $"must be {expected}, not {Describe(value)}");
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Array => value.GetArrayLength() == 0 ? "an empty array" : "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };
}
