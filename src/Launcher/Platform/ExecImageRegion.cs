using System.Runtime.InteropServices;
using System.Text;

namespace Launcher.Platform;

/// <summary>
/// A shared anonymous mapping (<c>mmap(2)</c>, <c>MAP_SHARED</c>) where the parent writes a child's argv and envp
/// after <c>clone3(2)</c>: only then is the pid known that <c>{pid}</c>, <c>{node}</c> and <c>LAUNCHER_NODE</c>
/// carry. The child sees the same pages at the same address, so the pointer arrays written here are valid in it as
/// they are. The parent unmaps its view at once; the child's stays until its <c>execve(2)</c>. Layout: a header of
/// two pointers (argv, envp), both null-terminated pointer arrays, then the strings.
/// </summary>
internal sealed unsafe class ExecImageRegion : IDisposable
{
    private const int HeaderSlots = 2;
    private readonly nuint _length;

    private ExecImageRegion(byte* start, nuint length)
    {
        Start = start;
        _length = length;
    }

    /// <summary>The header the child reads once the parent has written: <c>[0]</c> argv, <c>[1]</c> envp.</summary>
    public byte*** Header => (byte***)Start;

    private byte* Start { get; }

    /// <summary>A region that holds any image at most <paramref name="bytes"/> of strings and <paramref name="pointers"/> entries long.</summary>
    public static ExecImageRegion Map(int bytes, int pointers)
    {
        var length = (nuint)(bytes + ((pointers + HeaderSlots) * sizeof(byte*)));
        var start = LibC.MMap(0, length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_ANONYMOUS, -1, 0);
        if (start == -1)
            throw new IOException($"mmap of {length} bytes for a child's argv failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        return new ExecImageRegion((byte*)start, length);
    }

    /// <summary>The size a region needs for these strings: their UTF-8 bytes with terminators, and both arrays with their nulls.</summary>
    public static (int Bytes, int Pointers) Measure(IReadOnlyList<string> argv, IReadOnlyList<string> environment)
    {
        var bytes = 0;
        foreach (var text in argv)
            bytes += Encoding.UTF8.GetByteCount(text) + 1;
        foreach (var text in environment)
            bytes += Encoding.UTF8.GetByteCount(text) + 1;
        return (bytes, argv.Count + environment.Count + 2);
    }

    /// <summary>Writes both null-terminated arrays and their strings; false if they do not fit.</summary>
    public bool Write(IReadOnlyList<string> argv, IReadOnlyList<string> environment)
    {
        var (bytes, pointers) = Measure(argv, environment);
        if ((nuint)(bytes + ((pointers + HeaderSlots) * sizeof(byte*))) > _length)
            return false;
        var argvSlots = (byte**)Start + HeaderSlots;
        var envpSlots = argvSlots + argv.Count + 1;
        var next = (byte*)(envpSlots + environment.Count + 1);
        next = Append(argv, argvSlots, next);
        Append(environment, envpSlots, next);
        Header[0] = argvSlots;
        Header[1] = envpSlots;
        return true;
    }

    public void Dispose() => _ = LibC.MUnmap((nint)Start, _length);

    private byte* Append(IReadOnlyList<string> strings, byte** slots, byte* next)
    {
        for (var i = 0; i < strings.Count; i++)
        {
            slots[i] = next;
            var written = Encoding.UTF8.GetBytes(strings[i], new Span<byte>(next, (int)(Start + _length - next)));
            next[written] = 0;
            next += written + 1;
        }

        slots[strings.Count] = null;
        return next;
    }
}
