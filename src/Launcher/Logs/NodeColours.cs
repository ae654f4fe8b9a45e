namespace Launcher.Logs;

/// <summary>
/// A stable colour per node, so one worker keeps its colour across runs of `launcher logs` and terminals: chosen by an
/// FNV-1a hash of the name (string.GetHashCode is randomised per process). The launcher's own lines are bold.
/// </summary>
internal static class NodeColours
{
    // ANSI SGR foreground colours, red left out: it reads as an error.
    private static readonly string[] Palette = ["36", "33", "32", "35", "34", "96", "93", "92", "95", "94"];

    /// <summary>The SGR parameter for <paramref name="node"/>'s prefix.</summary>
    public static string For(string node)
    {
        if (node == LogFileName.LauncherNode)
            return "1";

        var hash = 2166136261u;
        foreach (var c in node)
        {
            hash ^= c;
            hash *= 16777619u;
        }

        return Palette[hash % (uint)Palette.Length];
    }
}
