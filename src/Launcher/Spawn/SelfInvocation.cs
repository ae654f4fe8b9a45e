namespace Launcher.Spawn;

/// <summary>How to run this same launcher again (for the exec shim and the watchdog).</summary>
internal static class SelfInvocation
{
    /// <summary>The program: the apphost or native binary itself, or <c>dotnet</c> when run as <c>dotnet launcher.dll</c>.</summary>
    public static string Program => Environment.ProcessPath!;

    /// <summary>Arguments that go before the verb: the assembly path when the host is <c>dotnet</c>, else nothing.</summary>
    public static IReadOnlyList<string> Prefix { get; } =
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet"
            ? [Path.Combine(AppContext.BaseDirectory, "launcher.dll")]
            : [];
}
