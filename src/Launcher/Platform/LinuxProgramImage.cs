using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Launcher.Platform;

/// <summary><c>execve(2)</c>: the pid, and so the node name already filled in, stays the same.</summary>
[SupportedOSPlatform("linux")]
internal sealed class LinuxProgramImage : IProgramImage
{
    public unsafe string Replace(IReadOnlyList<string> argv, IReadOnlyList<string> environment)
    {
        var allocated = new List<nint>();
        byte* Utf8(string s)
        {
            var p = Marshal.StringToCoTaskMemUTF8(s);
            allocated.Add(p);
            return (byte*)p;
        }

        var argvPointers = (byte**)NativeMemory.Alloc((nuint)(argv.Count + 1), (nuint)sizeof(byte*));
        var envPointers = (byte**)NativeMemory.Alloc((nuint)(environment.Count + 1), (nuint)sizeof(byte*));
        try
        {
            for (var i = 0; i < argv.Count; i++)
                argvPointers[i] = Utf8(argv[i]);
            argvPointers[argv.Count] = null;
            for (var i = 0; i < environment.Count; i++)
                envPointers[i] = Utf8(environment[i]);
            envPointers[environment.Count] = null;

            _ = LibC.ExecVe(argvPointers[0], argvPointers, envPointers);
            var errno = Marshal.GetLastPInvokeError();
            return $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
        }
        finally
        {
            NativeMemory.Free(argvPointers);
            NativeMemory.Free(envPointers);
            foreach (var p in allocated)
                Marshal.FreeCoTaskMem(p);
        }
    }
}
