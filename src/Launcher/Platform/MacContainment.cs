using System.Runtime.Versioning;

namespace Launcher.Platform;

/// <summary>
/// macOS containment: no parent-death signal and no subreaper exist there, so containment rests on the
/// watchdog (its pipe closes when the launcher dies, on any Unix) and the startup stray sweep. The shim still
/// refuses to start a worker whose launcher is already gone. Compiled everywhere; runs only on macOS.
/// </summary>
[SupportedOSPlatform("macos")]
internal sealed class MacContainment : IContainment
{
    public void PrepareLauncher()
    {
    }

    public void PrepareWorker(int expectedParentPid)
    {
        if (LibC.GetParentPid() != expectedParentPid)
        {
            Console.Error.WriteLine("launcher: the launcher exited before this worker started; not starting it");
            Environment.Exit(125);
        }

        _ = LibC.SetProcessGroup(0, 0);
    }

    // The launcher is not a subreaper on macOS: orphans go to launchd, which reaps them.
    public void ReapAdoptedZombies(Func<int, bool> isOwnChild)
    {
    }
}
