namespace Launcher.Config;

/// <summary>
/// How Windows names a program in a command (issue 15): a backslash is a directory separator like the slash, and a
/// name without an extension is found with one of <c>PATHEXT</c>'s (<c>cmd</c> is <c>cmd.exe</c>, <c>on-exit</c> may be
/// <c>on-exit.cmd</c>), as a Windows shell finds it. Elsewhere a name is only itself.
/// </summary>
internal static class WindowsProgramNames
{
    private const string DefaultExtensions = ".COM;.EXE;.BAT;.CMD";

    /// <summary>True when <paramref name="program"/> names a path rather than a name to look up on PATH.</summary>
    public static bool HasDirectory(string program) =>
        program.Contains('/', StringComparison.Ordinal) || (OperatingSystem.IsWindows() && program.Contains('\\', StringComparison.Ordinal));

    /// <summary>The file names to try for <paramref name="program"/>, in order.</summary>
    public static IEnumerable<string> Candidates(string program)
    {
        yield return program;
        if (!OperatingSystem.IsWindows() || Path.HasExtension(program))
            yield break;
        var extensions = Environment.GetEnvironmentVariable("PATHEXT") is { Length: > 0 } set ? set : DefaultExtensions;
        foreach (var extension in extensions.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            yield return program + extension.ToLowerInvariant();
    }
}
