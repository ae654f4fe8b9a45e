using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Launcher.Agent.Platform;

/// <summary>
/// Process identity on Windows, shared by the agent and the launcher: pid plus creation time
/// (<c>GetProcessTimes</c>, 100 ns units since 1601), read through a process handle. A handle keeps naming the same
/// process even after it exits (its pid is not reused while any handle is open), so a check made and acted on
/// through one handle cannot hit a stranger: the Windows analogue of a pidfd.
/// </summary>
[SupportedOSPlatform("windows")]
internal static partial class WindowsProcesses
{
    public const uint ProcessTerminate = 0x0001;
    public const uint ProcessVmRead = 0x0010;
    public const uint ProcessQueryInformation = 0x0400;
    public const uint ProcessQueryLimitedInformation = 0x1000;
    public const uint Synchronize = 0x00100000;
    private const uint StillActive = 259;

    /// <summary>The creation time of the process, or null when it is gone or may not be opened.</summary>
    public static ulong? ReadCreationTime(int pid)
    {
        using var handle = Open(pid, ProcessQueryLimitedInformation);
        return handle is null ? null : CreationTime(handle);
    }

    /// <summary>True when <paramref name="pid"/> still runs and was created at <paramref name="creationTime"/>.</summary>
    public static bool IsRunning(int pid, ulong creationTime)
    {
        using var handle = Open(pid, ProcessQueryLimitedInformation);
        return handle is not null && CreationTime(handle) == creationTime && HasNotExited(handle);
    }

    /// <summary>
    /// Ends the process with <paramref name="exitCode"/> if it still is the one created at <paramref name="creationTime"/>;
    /// checked and terminated through one handle. False when it is gone or now another process.
    /// </summary>
    public static bool Terminate(int pid, ulong creationTime, uint exitCode)
    {
        using var handle = Open(pid, ProcessTerminate | ProcessQueryLimitedInformation);
        return handle is not null && CreationTime(handle) == creationTime && HasNotExited(handle) && TerminateProcess(handle, exitCode);
    }

    /// <summary>A handle to the process, or null when it is gone or access is denied.</summary>
    public static WindowsHandle? Open(int pid, uint access)
    {
        if (pid <= 0)
            return null;
        var handle = OpenProcess(access, false, (uint)pid);
        if (!handle.IsInvalid)
            return handle;
        handle.Dispose();
        return null;
    }

    /// <summary>The creation time through an open handle, or null.</summary>
    public static ulong? CreationTime(WindowsHandle handle) =>
        GetProcessTimes(handle, out var creation, out _, out _, out _) ? (ulong)creation : null;

    /// <summary>True while the process behind the handle has not exited.</summary>
    public static bool HasNotExited(WindowsHandle handle) =>
        GetExitCodeProcess(handle, out var code) && code == StillActive;

    [LibraryImport("kernel32", SetLastError = true)]
    private static partial WindowsHandle OpenProcess(uint desiredAccess, [MarshalAs(UnmanagedType.Bool)] bool inheritHandle, uint processId);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool GetProcessTimes(WindowsHandle process, out long creation, out long exit, out long kernel, out long user);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool GetExitCodeProcess(WindowsHandle process, out uint exitCode);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool TerminateProcess(WindowsHandle process, uint exitCode);
}
