namespace Launcher.Platform;

/// <summary>
/// Gives back what start-up used once and idling never touches again (issue 12, part 2): the garbage of parsing the
/// config, building the host and spawning, and the pages of the launcher's own program and of its libraries that only
/// start-up ran. Called once a run is ready (<see cref="AfterReady"/>) and in the watchdog before it waits.
/// <c>LAUNCHER_MEMORY_TRIM=0</c> turns it off (to measure what it saves).
/// </summary>
internal static class MemoryTrim
{
    public const string Variable = "LAUNCHER_MEMORY_TRIM";

    /// <summary>How long after the ready line the second trim runs.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(1);

    // Held here: a timer nothing references is collected (by the very GC of the first trim) and never fires.
    private static ITimer? s_again;

    public static void AfterStartUp()
    {
        if (Environment.GetEnvironmentVariable(Variable) == "0")
            return;

        // Aggressive: compacts and returns free GC memory to the system, instead of keeping it for the next burst.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux())
            LinuxMemoryTrim.DropCleanFilePages();
    }

    /// <summary>
    /// Trims now and once more a little later: what runs just after the ready line (the first status publish, the
    /// slots' first waits, the census) faults code back in, 64 KiB around each page touched, and a supervising
    /// launcher then runs almost none of it. One timer, once: nothing periodic.
    /// </summary>
    public static void AfterReady(TimeProvider time)
    {
        AfterStartUp();
        var again = time.CreateTimer(_ => AfterStartUp(), null, SettleTime, Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref s_again, again)?.Dispose();
    }
}
