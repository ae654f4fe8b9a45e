using Launcher.Platform;

namespace Launcher.Spawn;

/// <summary>How to run this same launcher again, or its companion, for the exec shim, hooks, pings and the watchdog.</summary>
internal static class SelfInvocation
{
    /// <summary>The companion's file name: <c>scripts/build.sh</c> puts it beside <c>launcher</c>.</summary>
    public const string CompanionName = "launcher-companion";

    /// <summary><c>LAUNCHER_COMPANION=0</c> runs the helpers as this binary's own hidden verbs (to compare, or to rule the companion out).</summary>
    public const string CompanionVariable = "LAUNCHER_COMPANION";

    /// <summary>The program: the apphost or native binary itself, or <c>dotnet</c> when run as <c>dotnet launcher.dll</c>.</summary>
    public static string Program => Environment.ProcessPath!;

    /// <summary>Arguments that go before the verb: the assembly path when the host is <c>dotnet</c>, else nothing.</summary>
    public static IReadOnlyList<string> Prefix { get; } =
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet"
            ? [Path.Combine(AppContext.BaseDirectory, "launcher.dll")]
            : [];

    /// <summary>
    /// The companion binary beside this launcher, or null: then the helpers are this binary's hidden verbs. The
    /// companion answers the same verbs (<see cref="HelperVerbs"/>) from a small NativeAOT binary: it starts in about
    /// a millisecond instead of the whole launcher's several (the shim runs before every worker's real program), and
    /// the watchdog holds a fraction of the launcher's resident type data while it waits (issue 12).
    /// </summary>
    public static string? Companion { get; } = FindCompanion();

    /// <summary>The program that runs a helper verb: the companion when there is one, else this launcher.</summary>
    public static string HelperProgram => Companion ?? Program;

    /// <summary>Arguments before a helper verb (none for the companion).</summary>
    public static IReadOnlyList<string> HelperPrefix => Companion is null ? Prefix : [];

    private static string? FindCompanion()
    {
        // Linux only (Windows has no exec shim and no watchdog), never for `dotnet launcher.dll` (an IDE's Debug build
        // has no native companion), and never when turned off.
        if (!OperatingSystem.IsLinux() || Prefix.Count > 0 || Environment.GetEnvironmentVariable(CompanionVariable) == "0")
            return null;
        var directory = Path.GetDirectoryName(Environment.ProcessPath);
        if (string.IsNullOrEmpty(directory))
            return null;
        var companion = Path.Combine(directory, CompanionName);
        return LibC.Access(companion, LibC.X_OK) == 0 ? companion : null;
    }
}
