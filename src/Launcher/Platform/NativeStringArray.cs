using System.Runtime.InteropServices;

namespace Launcher.Platform;

/// <summary>
/// A null-terminated array of UTF-8 strings in native memory, as <c>execve(2)</c> and <c>fexecve(3)</c> take their
/// argv and envp (and as the launcher's vfork child reads its texts, which it may not build itself); freed on dispose.
/// </summary>
internal sealed unsafe class NativeStringArray : IDisposable
{
    private readonly int _count;

    public NativeStringArray(IReadOnlyList<string> strings)
    {
        _count = strings.Count;
        Pointers = (byte**)NativeMemory.AllocZeroed((nuint)(_count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < _count; i++)
            Pointers[i] = (byte*)Marshal.StringToCoTaskMemUTF8(strings[i]);
    }

    /// <summary>The strings, then a null pointer.</summary>
    public byte** Pointers { get; }

    public void Dispose()
    {
        for (var i = 0; i < _count; i++)
            Marshal.FreeCoTaskMem((nint)Pointers[i]);
        NativeMemory.Free(Pointers);
    }
}
