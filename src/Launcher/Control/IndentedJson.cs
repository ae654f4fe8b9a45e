using System.Text;
using System.Text.Json;

namespace Launcher.Control;

/// <summary>
/// A control-socket reply (one compact line, <see cref="ControlWireJson"/>) as `--json` prints it: indented exactly as
/// <see cref="StatusJsonContext"/> and <see cref="PingJson"/> write it (two spaces, <c>"name": value</c>, <c>[]</c> and
/// <c>{}</c> when empty), each token copied as the launcher wrote it. Both sides serialize the same records with the
/// same default encoder, so the escaping is already the printed one.
/// </summary>
/// <remarks>
/// Why not deserialize and serialize again: the serializer builds its metadata for every record type at first use,
/// several milliseconds of a command that should cost about as much as <c>launcher --version</c> (issue 12, part 3).
/// A reader over the tokens builds none. The unit tests pin the output to the serializer's, byte for byte.
/// </remarks>
internal static class IndentedJson
{
    private const string Indent = "  ";

    /// <summary>
    /// The indented document. <paramref name="topLevel"/> replaces the raw text of top-level primitive values by name
    /// (`ping --expect` sets <c>expected</c> and <c>ok</c>). Throws <see cref="JsonException"/> on anything but one
    /// complete JSON value.
    /// </summary>
    public static string Format(ReadOnlySpan<byte> compact, IReadOnlyDictionary<string, string>? topLevel = null)
    {
        var reader = new Utf8JsonReader(compact, new JsonReaderOptions { MaxDepth = 64 });
        var text = new StringBuilder(compact.Length * 2);
        var depth = 0;
        var empty = true; // nothing written yet in the innermost open container
        var afterName = false;
        string? replacement = null;
        while (reader.Read())
        {
            var token = reader.TokenType;
            if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                depth--;
                if (!empty)
                    NewLine(text, depth);
                text.Append(token == JsonTokenType.EndObject ? '}' : ']');
                empty = false;
                continue;
            }

            if (afterName)
            {
                afterName = false;
            }
            else if (depth > 0)
            {
                if (!empty)
                    text.Append(',');
                NewLine(text, depth);
            }

            empty = false;
            switch (token)
            {
                case JsonTokenType.StartObject:
                    text.Append('{');
                    depth++;
                    empty = true;
                    break;
                case JsonTokenType.StartArray:
                    text.Append('[');
                    depth++;
                    empty = true;
                    break;
                case JsonTokenType.PropertyName:
                    text.Append('"').Append(Encoding.UTF8.GetString(reader.ValueSpan)).Append("\": ");
                    afterName = true;
                    replacement = depth == 1 && topLevel is not null && topLevel.TryGetValue(reader.GetString()!, out var value) ? value : null;
                    continue;
                case JsonTokenType.String:
                    text.Append(replacement ?? '"' + Encoding.UTF8.GetString(reader.ValueSpan) + '"');
                    break;
                case JsonTokenType.True:
                    text.Append(replacement ?? "true");
                    break;
                case JsonTokenType.False:
                    text.Append(replacement ?? "false");
                    break;
                case JsonTokenType.Null:
                    text.Append(replacement ?? "null");
                    break;
                default:
                    text.Append(replacement ?? Encoding.UTF8.GetString(reader.ValueSpan));
                    break;
            }

            replacement = null;
        }

        if (depth != 0 || text.Length == 0)
            throw new JsonException("an incomplete JSON document");
        return text.ToString();
    }

    private static void NewLine(StringBuilder text, int depth)
    {
        text.Append(Environment.NewLine);
        for (var i = 0; i < depth; i++)
            text.Append(Indent);
    }
}
