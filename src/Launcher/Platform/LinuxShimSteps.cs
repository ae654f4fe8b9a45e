using System.Runtime.Versioning;

namespace Launcher.Platform;

/// <summary>
/// What the helpers do to their own process before they become something else, on Linux: shared by
/// <see cref="LinuxContainment"/> and the companion binary, which has no <see cref="PlatformServices"/>.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class LinuxShimSteps
{
    /// <summary>The worker's exec shim: the parent-death signal, a check that the launcher still is its parent, a process group.</summary>
    public static void PrepareWorker(int expectedParentPid)
    {
        _ = LibC.Prctl(LibC.PR_SET_PDEATHSIG, (nuint)Signal.Kill, 0, 0, 0);

        // The launcher may have died between our fork and the prctl above; then nobody would ever signal us.
        if (LibC.GetParentPid() != expectedParentPid)
        {
            Console.Error.WriteLine("launcher: the launcher exited before this worker started; not starting it");
            Environment.Exit(125);
        }

        // Our own process group: a terminal's Ctrl+C reaches the launcher, which stops workers in order.
        _ = LibC.SetProcessGroup(0, 0);
    }

    /// <summary>A hook or ping command: a process group of its own (setpgid(2)).</summary>
    public static void PrepareContainedCommand() => _ = LibC.SetProcessGroup(0, 0);

    /// <summary>The watchdog leaves the launcher's session (setsid(2)).</summary>
    public static void PrepareWatchdog() => _ = LibC.SetSid();
}
