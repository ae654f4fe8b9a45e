using Launcher.Platform;

namespace Launcher.Strays;

/// <summary>
/// Recognises launcher processes (a `launcher run`, its watchdog, an exec shim before it execs): they are never
/// workers, whatever a stray pattern says, and a worker they started belongs to them.
/// </summary>
internal static class LauncherProcesses
{
    // Run as `dotnet launcher.dll`, the binary is the shared host: every .NET process would match it.
    private static readonly string? OwnExecutable =
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? null : ResolveOwn(Environment.ProcessPath);
    private static readonly string OwnFileName = Path.GetFileName(Environment.ProcessPath ?? "launcher");

    /// <summary>
    /// True when <paramref name="process"/> runs this launcher's binary (the same file, by the process table), or
    /// its argv reads like a launcher: <c>__exec</c> or <c>__watchdog</c> right after the program, or a launcher
    /// binary running <c>run</c>.
    /// </summary>
    public static bool IsLauncher(ProcessInfo process, IProcessTable processes)
    {
        var argv = process.CommandLine;
        if (argv.Count >= 2 && argv[1] is "__exec" or "__watchdog")
            return true;
        if (argv.Count >= 2 && IsLauncherName(Path.GetFileName(argv[0])) && argv.Skip(1).Contains("run", StringComparer.Ordinal))
            return true;
        return OwnExecutable is not null && processes.ReadExecutablePath(process.Pid) == OwnExecutable;
    }

    /// <summary>A helper of a launcher (shim or watchdog) rather than the `run` that owns workers.</summary>
    public static bool IsHelper(ProcessInfo process) =>
        process.CommandLine.Count >= 2 && process.CommandLine[1] is "__exec" or "__watchdog";

    private static bool IsLauncherName(string name) =>
        name == OwnFileName || name is "launcher" or "Launcher";

    private static string? ResolveOwn(string? path)
    {
        if (string.IsNullOrEmpty(path))
            return null;
        try
        {
            return Path.GetFullPath(File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path);
        }
        catch (IOException)
        {
            return null; // then the argv rules above still apply
        }
    }
}
