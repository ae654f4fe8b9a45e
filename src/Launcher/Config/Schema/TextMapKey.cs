using System.Text.Json;
using Launcher.Exceptions;

namespace Launcher.Config.Schema;

/// <summary>
/// An object of environment variable names to string values. A null value means "not set". Names follow execve's
/// "NAME=value" strings: a name with '=' or NUL, or no name, cannot be passed on.
/// </summary>
internal sealed class TextMapKey(string path) : ConfigKey<IReadOnlyDictionary<string, string>>(path, new Dictionary<string, string>())
{
    public override object Read(JsonElement value, string at)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw JsonShape.Mismatch(at, value, "an object of names to strings, e.g. { \"QUEUE\": \"default\" }");

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in value.EnumerateObject())
        {
            var entryAt = at + "." + entry.Name.Replace("\0", "\\0", StringComparison.Ordinal);
            if (entry.Name.Length == 0 || entry.Name.Contains('=', StringComparison.Ordinal) || entry.Name.Contains('\0', StringComparison.Ordinal))
                throw new ConfigException(entryAt, "is not a valid environment variable name (it must be non-empty, without '=' or NUL)");
            if (!map.TryAdd(entry.Name, ""))
                throw new ConfigException(entryAt, "is set twice");
            switch (entry.Value.ValueKind)
            {
                case JsonValueKind.String:
                    map[entry.Name] = entry.Value.GetString()!;
                    break;
                case JsonValueKind.Null:
                    map.Remove(entry.Name);
                    break;
                default:
                    throw JsonShape.Mismatch(entryAt, entry.Value, "a string (quote it)");
            }
        }

        return map.AsReadOnly();
    }
}
