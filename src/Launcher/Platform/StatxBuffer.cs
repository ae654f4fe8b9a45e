using System.Runtime.InteropServices;

namespace Launcher.Platform;

/// <summary>
/// The fields of <c>struct statx</c> (statx(2)) that <see cref="LinuxFileSystem"/> and <see cref="PathFacts"/> read. Unlike <c>struct stat</c>,
/// whose layout differs between x86-64 and the generic ABI (arm64, riscv64), statx has one layout on every
/// architecture: 256 bytes, offsets fixed by <c>include/uapi/linux/stat.h</c>.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal struct StatxBuffer
{
    /// <summary><c>stx_mask</c>: which of the requested fields the kernel filled in.</summary>
    [FieldOffset(0)]
    public uint Mask;

    /// <summary><c>stx_uid</c>.</summary>
    [FieldOffset(20)]
    public uint Uid;

    /// <summary><c>stx_mode</c>: file type and permission bits.</summary>
    [FieldOffset(28)]
    public ushort Mode;

    /// <summary><c>stx_size</c>, in bytes.</summary>
    [FieldOffset(40)]
    public ulong Size;
}
