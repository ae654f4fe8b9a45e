namespace Launcher.Platform;

/// <summary>
/// Gives back what start-up used once and idling never touches again (issue 12, part 2): the garbage of parsing the
/// config, building the host and spawning, and the pages of the launcher's own program that only start-up ran.
/// Called once a run is ready and in the watchdog before it waits. <c>LAUNCHER_MEMORY_TRIM=0</c> turns it off (to
/// measure what it saves).
/// </summary>
internal static class MemoryTrim
{
    public const string Variable = "LAUNCHER_MEMORY_TRIM";

    public static void AfterStartUp()
    {
        if (Environment.GetEnvironmentVariable(Variable) == "0")
            return;

        // Aggressive: compacts and returns free GC memory to the system, instead of keeping it for the next burst.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux())
            LinuxMemoryTrim.DropCleanProgramPages();
    }
}
