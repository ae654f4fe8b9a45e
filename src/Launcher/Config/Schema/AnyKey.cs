using System.Text.Json;

namespace Launcher.Config.Schema;

/// <summary>A key whose value the launcher ignores (<c>comment</c>): any JSON.</summary>
internal sealed class AnyKey(string path) : ConfigKey<string>(path, "")
{
    public override object Read(JsonElement value, string at) => value.GetRawText();
}
