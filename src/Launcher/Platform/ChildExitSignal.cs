using System.Runtime.InteropServices;

namespace Launcher.Platform;

/// <summary>
/// Calls back when a child of this process ends: <c>SIGCHLD</c> on Unix (signal(7); an orphan adopted as subreaper or
/// as a container's PID 1 is a child too). .NET reaps the children it started itself before it runs the handler.
/// Windows has no such signal and no zombies: nothing to register.
/// </summary>
internal static class ChildExitSignal
{
    public static IDisposable? Register(Action onChildExit) =>
        OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => onChildExit());
}
