using System.Runtime.InteropServices;

namespace Launcher.Agent.Internal;

/// <summary>SIGTERM through <c>kill(2)</c>; .NET 10 has no managed way to send it.</summary>
internal static partial class PosixSignalSender
{
    private const int SigTerm = 15;

    public static void Terminate(int pid) => _ = Kill(pid, SigTerm);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
