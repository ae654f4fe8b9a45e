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

    /// <summary>The full path of the program <paramref name="process"/> runs, or null when Windows does not say.</summary>
    public static unsafe string? PathOf(WindowsHandle process)
    {
        var buffer = stackalloc char[1024];
        var size = 1024u;
        return QueryFullProcessImageName(process, 0, buffer, ref size) ? new string(buffer, 0, (int)size) : null;
    }
}
