using Launcher.Cli;
using Launcher.Platform.Windows;
using Launcher.Supervise;

namespace Launcher.Service;

/// <summary>
/// The seams between <c>launcher run</c> and the service control manager (<see cref="ServiceControlSession"/>), for
/// <c>run --windows-service NAME</c>. Off Windows each is a no-op or a one-line refusal; the NativeAOT compiler drops
/// the Windows code from a Linux build (<see cref="OperatingSystem.IsWindows"/> is a constant there).
/// </summary>
internal static class WindowsServiceRun
{
    /// <summary>
    /// Runs <paramref name="run"/> (the whole run, errors mapped to exit codes) as the service
    /// <paramref name="serviceName"/>: registered with the service control manager first, STOPPED with the exit code last.
    /// </summary>
    public static async Task<int> RunAsync(string serviceName, Func<Task<int>> run)
    {
        if (!OperatingSystem.IsWindows())
            return Refuse($"{WindowsService.ServiceFlag} is for the Windows service control manager; on this system run `launcher run`");
        if (serviceName.Length is 0 or > 256 || serviceName.Any(c => c is '/' or '\\'))
            return Refuse($"{WindowsService.ServiceFlag} needs the service's name (launcher-<instance>), without / or \\");

        var (connected, code) = await ServiceControlSession.RunAsync(serviceName, run, TimeProvider.System);
        return connected ? code
            : Refuse($"{WindowsService.ServiceFlag}: not started by the service control manager (Windows error {code}); `sc.exe start {serviceName}` starts the service, `launcher run` runs in this console");
    }

    /// <summary>What the service control manager's stop does: <paramref name="stop"/> (the host's graceful stop).</summary>
    public static void StopWith(Action stop)
    {
        if (OperatingSystem.IsWindows())
            ServiceControlSession.Current?.StopWith(stop);
    }

    /// <summary><paramref name="reporter"/>, also telling the service control manager RUNNING at the ready line, when running as a service.</summary>
    public static IRunReporter Reporting(IRunReporter reporter) =>
        OperatingSystem.IsWindows() && ServiceControlSession.Current is { } session ? new WindowsServiceReporter(reporter, session) : reporter;

    private static int Refuse(string problem)
    {
        ConsoleErrors.Write(problem);
        return ExitCodes.BadUsage;
    }
}
