namespace Launcher.Platform;

/// <summary>
/// Keeps workers from outliving the launcher. Linux: the launcher is a child subreaper, each worker gets a
/// parent-death signal (armed by the exec shim), and orphaned grandchildren are reaped here.
/// </summary>
internal interface IContainment
{
    /// <summary>Called once in the launcher before any worker starts.</summary>
    void PrepareLauncher();

    /// <summary>Called in a freshly started worker, before it becomes the real program.</summary>
    void PrepareWorker(int expectedParentPid);

    /// <summary>
    /// Called in a freshly started hook or ping command, before it becomes the real program: a process group of its
    /// own, so whatever the command leaves behind can be found by group once it has exited.
    /// </summary>
    void PrepareContainedCommand();

    /// <summary>How many live processes other than the leader are in the process group <paramref name="processGroup"/>.</summary>
    int CountProcessGroupMembers(int processGroup);

    /// <summary>
    /// Called in the watchdog process: it leaves the launcher's session, so an IDE or terminal that kills the
    /// launcher's process group does not take the watchdog along.
    /// </summary>
    void PrepareWatchdog();

    /// <summary>
    /// Waits for zombies that were reparented to the launcher (as subreaper, or as a container's PID 1) and that
    /// nobody else will wait for. Call it only while no child is being started: a child forked a moment ago may not
    /// be known to <paramref name="isOwnChild"/> yet (see <c>Spawn/ChildRegistry</c>).
    /// </summary>
    void ReapAdoptedZombies(Func<int, bool> isOwnChild);
}
