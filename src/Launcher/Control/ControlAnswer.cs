using System.Text.Json;

namespace Launcher.Control;

/// <summary>
/// One reply line of the running launcher, parsed once, about the instance that was asked for. Null from
/// <see cref="Parse"/> for anything else (an <c>{"error":...}</c> line, garbage, another instance's report): the
/// command then falls back to discovery, which still knows the truth.
/// </summary>
internal sealed class ControlAnswer : IDisposable
{
    private ControlAnswer(string line, JsonDocument document)
    {
        Line = line;
        Document = document;
    }

    /// <summary>The line as the launcher sent it (compact JSON).</summary>
    public string Line { get; }

    public JsonDocument Document { get; }

    public static ControlAnswer? Parse(string line, string instance)
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

        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("instance", out var name)
            && name.ValueKind == JsonValueKind.String && name.GetString() == instance)
            return new ControlAnswer(line, document);
        document.Dispose();
        return null;
    }

    public void Dispose() => Document.Dispose();
}
