using System.Runtime.InteropServices;

namespace Launcher.Tests.Support;

/// <summary>The libc calls the harness needs: <c>kill(2)</c> and <c>getuid(2)</c>. .NET 10 cannot send SIGTERM.</summary>
internal static partial class NativeMethods
{
    /// <summary>errno for "no such process".</summary>
    public const int ESRCH = 3;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "getuid")]
    public static partial uint GetUid();
}
