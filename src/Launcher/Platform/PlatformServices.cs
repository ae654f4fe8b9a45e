using Launcher.Platform.Windows;

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

        if (OperatingSystem.IsWindows())
        {
            return new PlatformServices(
                new WindowsProcessTable(), new WindowsSignalSender(), new WindowsContainment(), new WindowsFileSystem(), new WindowsProgramImage());
        }

        throw new PlatformNotSupportedException(
            "launcher supports Linux and Windows (tested under Wine) today; macOS is planned, see docs/ARCHITECTURE.md");
    }
}
