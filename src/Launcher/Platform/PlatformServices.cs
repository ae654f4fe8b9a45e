namespace Launcher.Platform;

/// <summary>The one place that picks the implementation for this operating system; the flow never branches on it.</summary>
internal sealed record PlatformServices(
    IProcessTable Processes,
    ISignalSender Signals,
    IContainment Containment,
    IFileSystem Files,
    IProgramImage Program)
{
    public static PlatformServices ForCurrentOs()
    {
        if (OperatingSystem.IsLinux())
        {
            var table = new LinuxProcessTable();
            return new PlatformServices(table, new LinuxSignalSender(), new LinuxContainment(table), new LinuxFileSystem(), new LinuxProgramImage());
        }

        throw new PlatformNotSupportedException(
            "launcher supports Linux today; macOS and Windows are planned, see docs/ARCHITECTURE.md");
    }
}
