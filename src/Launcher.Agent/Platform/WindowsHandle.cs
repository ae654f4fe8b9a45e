using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Launcher.Agent.Platform;

/// <summary>A Windows kernel handle (process, job or snapshot) closed with <c>CloseHandle</c>.</summary>
[SupportedOSPlatform("windows")]
internal sealed partial class WindowsHandle : SafeHandle
{
    public WindowsHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    // INVALID_HANDLE_VALUE (-1) from CreateToolhelp32Snapshot, NULL from OpenProcess and CreateJobObject.
    public override bool IsInvalid => handle == IntPtr.Zero || handle == new IntPtr(-1);

    protected override bool ReleaseHandle() => CloseHandle(handle);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool CloseHandle(IntPtr handle);
}
