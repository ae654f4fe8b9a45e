namespace Launcher.Platform;

/// <summary>The one place that picks the implementation for this operating system; the flow never branches on it.</summary>
internal sealed record PlatformServices(IProcessTable Processes, ISignalSender Signals, IContainment Containment)
{
    public static PlatformServices ForCurrentOs()
    {
        if (OperatingSystem.IsLinux())
        {
            var table = new LinuxProcessTable();
            return new PlatformServices(table, new LinuxSignalSender(table), new LinuxContainment(table));
        }

        throw new PlatformNotSupportedException(
            "launcher supports Linux today; macOS (kqueue + pipe watch) and Windows (job objects) are planned, see docs/ARCHITECTURE.md");
    }
}
