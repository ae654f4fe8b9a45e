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
    /// Called in the watchdog process: it leaves the launcher's session, so an IDE or terminal that kills the
    /// launcher's process group does not take the watchdog along.
    /// </summary>
    void PrepareWatchdog();

    /// <summary>Waits for zombies that were reparented to the launcher and that nobody else will wait for.</summary>
    void ReapAdoptedZombies(Func<int, bool> isOwnChild);
}
