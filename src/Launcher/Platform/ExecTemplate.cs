using System.Runtime.InteropServices;
using System.Text;

namespace Launcher.Platform;

/// <summary>
/// A child's argv and envp with the places its own pid goes (<c>{pid}</c>, <c>{node}</c>, <c>LAUNCHER_NODE</c>) left
/// open, in native memory, for the child to fill in between <c>vfork(2)</c> and <c>execve(2)</c>: only it knows its
/// pid before the exec, and it may not allocate. Where the pid goes is found by building the image for two different
/// ten-digit pids and diffing them; an image where that is ambiguous (the same digits written by the user) gets
/// null, and the caller starts that child through the exec shim.
/// Encoding, per string, argv's then envp's: segments of a 4-byte length and that many bytes (padded to 4), a length
/// of <see cref="PidMark"/> for the pid's digits, <see cref="EndMark"/> at the string's end.
/// </summary>
internal sealed unsafe class ExecTemplate : IDisposable
{
    public const int PidMark = -1;
    public const int EndMark = -2;
    private const int SentinelA = 1987654321;
    private const int SentinelB = 1876543210;
    private const int MaxPidDigits = 10;

    private ExecTemplate(byte* encoded, int argc, int envc, byte** argv, byte** envp, byte* scratch, string program)
    {
        Encoded = encoded;
        ArgumentCount = argc;
        EnvironmentCount = envc;
        Argv = argv;
        Envp = envp;
        Scratch = scratch;
        Program = program;
    }

    public byte* Encoded { get; }
    public int ArgumentCount { get; }
    public int EnvironmentCount { get; }

    /// <summary>Where the child writes its argv pointers (<see cref="ArgumentCount"/> + 1 slots).</summary>
    public byte** Argv { get; }

    /// <summary>Where the child writes its envp pointers (<see cref="EnvironmentCount"/> + 1 slots).</summary>
    public byte** Envp { get; }

    /// <summary>Where the child writes the strings themselves: room for every literal, ten digits per pid, and the terminators.</summary>
    public byte* Scratch { get; }

    /// <summary>argv[0], for messages.</summary>
    public string Program { get; }

    public static ExecTemplate? Build(Func<int, (IReadOnlyList<string> Argv, IReadOnlyList<string> Environment)> imageFor)
    {
        var a = imageFor(SentinelA);
        var b = imageFor(SentinelB);
        if (a.Argv.Count != b.Argv.Count || a.Environment.Count != b.Environment.Count)
            return null;
        var markA = SentinelA.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var markB = SentinelB.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var strings = a.Argv.Concat(a.Environment).ToArray();
        var others = b.Argv.Concat(b.Environment).ToArray();
        var encoded = new List<byte>();
        var scratchBytes = 0;
        for (var i = 0; i < strings.Length; i++)
        {
            var parts = strings[i].Split(markA);
            if (!string.Equals(string.Join(markB, parts), others[i], StringComparison.Ordinal))
                return null; // the user's own text holds the digits: which of them are the pid is not clear
            for (var p = 0; p < parts.Length; p++)
            {
                if (p > 0)
                {
                    Append(encoded, PidMark);
                    scratchBytes += MaxPidDigits;
                }

                var bytes = Encoding.UTF8.GetBytes(parts[p]);
                if (bytes.Length == 0)
                    continue;
                Append(encoded, bytes.Length);
                encoded.AddRange(bytes);
                while (encoded.Count % 4 != 0)
                    encoded.Add(0);
                scratchBytes += bytes.Length;
            }

            Append(encoded, EndMark);
            scratchBytes++;
        }

        var block = (byte*)NativeMemory.Alloc((nuint)encoded.Count);
        CollectionsMarshal.AsSpan(encoded).CopyTo(new Span<byte>(block, encoded.Count));
        var argv = (byte**)NativeMemory.AllocZeroed((nuint)(a.Argv.Count + 1), (nuint)sizeof(byte*));
        var envp = (byte**)NativeMemory.AllocZeroed((nuint)(a.Environment.Count + 1), (nuint)sizeof(byte*));
        var scratch = (byte*)NativeMemory.Alloc((nuint)scratchBytes);
        return new ExecTemplate(block, a.Argv.Count, a.Environment.Count, argv, envp, scratch, a.Argv[0].Replace(markA, "{pid}", StringComparison.Ordinal));
    }

    /// <summary>Freed by the parent once the child has exec'd or exited (<c>vfork(2)</c> returns only then).</summary>
    public void Dispose()
    {
        NativeMemory.Free(Encoded);
        NativeMemory.Free(Argv);
        NativeMemory.Free(Envp);
        NativeMemory.Free(Scratch);
    }

    private static void Append(List<byte> encoded, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        MemoryMarshal.Write(bytes, in value);
        encoded.AddRange(bytes);
    }
}
