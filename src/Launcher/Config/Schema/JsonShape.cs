using System.Text.Json;
using Launcher.Exceptions;

namespace Launcher.Config.Schema;

/// <summary>The wrong-type message every key uses: "must be X, not the number 5".</summary>
internal static class JsonShape
{
    public static ConfigException Mismatch(string at, JsonElement value, string expected) =>
        new(at, $"must be {expected}, not {Describe(value)}");

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Abbreviate(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Abbreviate(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Array => value.GetArrayLength() == 0 ? "an empty array" : "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    // Messages are one line: a 200 KB string or one with a newline in it must not become the message.
    private static string Abbreviate(string text)
    {
        var oneLine = text.ReplaceLineEndings("\\n");
        return oneLine.Length <= 80 ? oneLine : oneLine[..77] + "...";
    }
}
