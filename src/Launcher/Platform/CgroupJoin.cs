namespace Launcher.Platform;

/// <summary>
/// The exec shims' half of cgroup containment: the launcher names the cgroup in <c>LAUNCHER_CGROUP</c>, and the
/// shim moves itself there before <c>execve(2)</c>, so the worker (or hook, or probe) and everything it will ever
/// fork start inside it; nothing can run outside it even for a moment. The variable is removed again, so the real
/// program never sees it.
/// </summary>
internal static class CgroupJoin
{
    public const string Variable = "LAUNCHER_CGROUP";

    public static void FromEnvironment()
    {
        var path = Environment.GetEnvironmentVariable(Variable);
        Environment.SetEnvironmentVariable(Variable, null);
        if (string.IsNullOrEmpty(path))
            return;
        try
        {
            new Cgroup(path).Join(Environment.ProcessId);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The other layers (parent-death signal, process group, markers, watchdog) still hold; say why this one does not.
            Console.Error.WriteLine($"launcher: could not join cgroup {path}: {ex.Message}; contained by the fallback layers only");
        }
    }
}
