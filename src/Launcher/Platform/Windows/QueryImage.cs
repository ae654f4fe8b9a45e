using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Launcher.Agent.Platform;

namespace Launcher.Platform.Windows;

/// <summary><c>QueryFullProcessImageNameW</c>: the full path of the program a process runs.</summary>
[SupportedOSPlatform("windows")]
internal static partial class QueryImage
{
    [LibraryImport("kernel32", EntryPoint = "QueryFullProcessImageNameW", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static unsafe partial bool QueryFullProcessImageName(WindowsHandle process, uint flags, char* name, ref uint size);
}
