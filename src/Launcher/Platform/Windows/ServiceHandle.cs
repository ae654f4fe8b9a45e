using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Launcher.Platform.Windows;

/// <summary>A handle of the service control manager or of one service, closed with <c>CloseServiceHandle</c>.</summary>
[SupportedOSPlatform("windows")]
internal sealed class ServiceHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public ServiceHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle() => ServiceApi.CloseServiceHandle(handle);
}
