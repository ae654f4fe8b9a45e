namespace Launcher.Logging;

/// <summary>
/// How much of a child's output the launcher keeps in memory at once (issue 10, item 7): nothing a worker, hook or
/// ping command prints can grow the launcher beyond these, however much it prints and with or without newlines.
/// </summary>
internal static class OutputBounds
{
    /// <summary>Longest line written to a log in one piece; longer lines are split (<see cref="BoundedLineReader.SplitMarker"/>).</summary>
    public const int MaxLineChars = 64 * 1024;

    /// <summary>How much of a hook's or ping command's output is kept (or logged); the rest is read and discarded.</summary>
    public const int MaxCapturedChars = 64 * 1024;

    /// <summary>How many of a worker's last lines are kept for crash reports.</summary>
    public const int RecentLines = 10;

    /// <summary>How much of each of those lines is kept.</summary>
    public const int RecentLineChars = 512;

    /// <summary>Cuts <paramref name="text"/> to <paramref name="maxChars"/>, saying how much was left out.</summary>
    public static string Cut(string text, int maxChars) =>
        text.Length <= maxChars ? text : string.Concat(text.AsSpan(0, maxChars), $"... [{text.Length - maxChars} more chars]");
}
