using System.Text.Json;

namespace Launcher.Config.Schema;

/// <summary><c>true</c> or <c>false</c> (not the strings).</summary>
internal sealed class BooleanKey(string path, bool defaultValue) : ConfigKey<bool>(path, defaultValue)
{
    public override object Read(JsonElement value, string at) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw JsonShape.Mismatch(at, value, "true or false"),
    };
}
