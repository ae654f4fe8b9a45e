using System.Text.Json;

namespace Launcher.Config.Schema;

/// <summary>A string value.</summary>
internal sealed class TextKey(string path, string defaultValue) : ConfigKey<string>(path, defaultValue)
{
    public override object Read(JsonElement value, string at) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw JsonShape.Mismatch(at, value, "a string");
}
