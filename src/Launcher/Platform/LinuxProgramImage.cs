using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Launcher.Platform;

/// <summary><c>execve(2)</c>: the pid, and so the node name already filled in, stays the same.</summary>
[SupportedOSPlatform("linux")]
internal sealed class LinuxProgramImage : IProgramImage
{
    public unsafe string Replace(IReadOnlyList<string> argv, IReadOnlyList<string> environment)
    {
        using var argvArray = new NativeStringArray(argv);
        using var envArray = new NativeStringArray(environment);
        _ = LibC.ExecVe(argvArray.Pointers[0], argvArray.Pointers, envArray.Pointers);
        var errno = Marshal.GetLastPInvokeError();
        return $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
    }
}
