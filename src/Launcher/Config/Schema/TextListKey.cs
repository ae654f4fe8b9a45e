using System.Text.Json;

namespace Launcher.Config.Schema;

/// <summary>
/// An array of strings: an argv (<see cref="IsCommand"/>: not empty) or a list of patterns. Every element is
/// type-checked: a number in <c>strays.match</c> must never become the regex <c>5</c> (issue 10).
/// </summary>
internal sealed class TextListKey(string path, bool isCommand) : ConfigKey<IReadOnlyList<string>>(path, [])
{
    private const string Example = "an array of strings, e.g. [\"./worker\", \"--name\", \"{node}\"]";

    /// <summary>An argv: the program first, then its arguments; an empty array is an error, not "unset".</summary>
    public bool IsCommand { get; } = isCommand;

    public override object Read(JsonElement value, string at)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw JsonShape.Mismatch(at, value, IsCommand ? Example : "an array of strings");
        if (IsCommand && value.GetArrayLength() == 0)
            throw JsonShape.Mismatch(at, value, "the program and its arguments, " + Example);

        var items = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                throw JsonShape.Mismatch($"{at}[{items.Count}]", item, item.ValueKind == JsonValueKind.Number ? "a string (quote it)" : "a string");
            items.Add(item.GetString()!);
        }

        return items.AsReadOnly();
    }
}
