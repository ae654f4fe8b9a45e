using System.Runtime.InteropServices;

namespace Launcher.Platform;

/// <summary>
/// File facts read without opening the file: its type and size (<c>statx(2)</c>, whose layout is the same on every
/// architecture) and whether it lies on a kernel pseudo file system (<c>statfs(2)</c> <c>f_type</c>), where files
/// written are discarded or refused (<c>/proc</c>, <c>/sys</c>).
/// </summary>
internal static partial class PathFacts
{
    private const ushort S_IFMT = 0xF000;
    private const ushort S_IFREG = 0x8000;
    private const ushort S_IFDIR = 0x4000;

    // linux/magic.h: file systems that are views of the kernel, not storage. devtmpfs reports TMPFS_MAGIC, so
    // /dev is recognised by its path instead.
    private static readonly Dictionary<long, string> PseudoFileSystems = new()
    {
        [0x9fa0] = "proc",
        [0x62656572] = "sysfs",
        [0x1cd1] = "devpts",
        [0x27e0eb] = "cgroup",
        [0x63677270] = "cgroup2",
        [0x64626720] = "debugfs",
        [0x74726163] = "tracefs",
        [0x73636673] = "securityfs",
        [0x6165676C] = "pstore",
        [0xcafe4a11] = "bpf",
        [0x62656570] = "configfs",
        [0xde5e81e4] = "efivarfs",
        [0xf97cff8c] = "selinuxfs",
        [0x6e736673] = "nsfs",
        [0x19800202] = "mqueue",
        [0x65735543] = "fusectl",
        [0x42494e4d] = "binfmt_misc",
    };

    /// <summary>The type of what <paramref name="path"/> names and, for a regular file, its size in bytes.</summary>
    public static (FileKind Kind, long Size) Kind(string path)
    {
        if (!OperatingSystem.IsLinux())
            return Directory.Exists(path) ? (FileKind.Directory, 0) : File.Exists(path) ? (FileKind.RegularFile, new FileInfo(path).Length) : (FileKind.Missing, 0);

        if (LibC.Statx(LibC.AT_FDCWD, path, 0, LibC.STATX_TYPE | LibC.STATX_SIZE, out var status) != 0)
            return (FileKind.Missing, 0);
        return (status.Mode & S_IFMT) switch
        {
            S_IFREG => (FileKind.RegularFile, (long)status.Size),
            S_IFDIR => (FileKind.Directory, 0),
            _ => (FileKind.Special, 0),
        };
    }

    /// <summary>
    /// The name of the pseudo file system <paramref name="existingPath"/> lies on (<c>proc</c>, <c>sysfs</c>, or
    /// <c>devtmpfs</c> for anything under <c>/dev</c>), else null.
    /// </summary>
    public static string? PseudoFileSystemOf(string existingPath)
    {
        if (existingPath == "/dev" || existingPath.StartsWith("/dev/", StringComparison.Ordinal))
            return "devtmpfs";
        if (!OperatingSystem.IsLinux() || StatFs(existingPath, out var status) != 0)
            return null;
        return PseudoFileSystems.GetValueOrDefault((long)status.Type & 0xFFFFFFFF);
    }

    [LibraryImport("libc", EntryPoint = "statfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatFs(string path, out StatFsBuffer buffer);

    /// <summary>
    /// <c>struct statfs</c> on 64-bit Linux: <c>f_type</c> (a word) comes first; the rest is not read. Over-sized on
    /// purpose (the real struct is 120 bytes).
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct StatFsBuffer
    {
        public nint Type;
    }
}
