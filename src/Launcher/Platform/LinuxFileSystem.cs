using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Launcher.Agent.Platform;

namespace Launcher.Platform;

/// <summary>File facts through <c>statx(2)</c>, <c>lstat(2)</c> and <c>realpath(3)</c>.</summary>
[SupportedOSPlatform("linux")]
internal sealed class LinuxFileSystem : IFileSystem
{
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const uint RequiredFields = LibC.STATX_TYPE | LibC.STATX_MODE | LibC.STATX_UID;
    private const int FileTypeBits = 0xF000; // S_IFMT, inode(7)
    private const int DirectoryType = 0x4000; // S_IFDIR
    private const int RegularFileType = 0x8000; // S_IFREG
    private const int SymbolicLinkType = 0xA000; // S_IFLNK

    public FileFacts? Inspect(string path)
    {
        if (LibC.Statx(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, RequiredFields, out var buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR)
                return null;
            throw new IOException($"cannot inspect {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        if ((buffer.Mask & RequiredFields) != RequiredFields)
            throw new IOException($"cannot inspect {path}: the file system does not report its owner and mode");

        var kind = (buffer.Mode & FileTypeBits) switch
        {
            DirectoryType => FileKind.Directory,
            RegularFileType => FileKind.RegularFile,
            SymbolicLinkType => FileKind.SymbolicLink,
            _ => FileKind.Special,
        };
        // The low 12 bits are the permission, set-id and sticky bits, numbered as UnixFileMode numbers them.
        return new FileFacts(kind, (int)buffer.Uid, (UnixFileMode)(buffer.Mode & 0xFFF));
    }

    public ulong? InodeOf(string path) => Syscalls.LStat(path, out _, out var inode) == 0 ? inode : null;

    public string? ResolveRealPath(string path)
    {
        var resolved = LibC.RealPath(path, 0);
        if (resolved == 0)
            return null;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            LibC.Free(resolved);
        }
    }

    public void CreatePrivateDirectory(string path) => Directory.CreateDirectory(path, FileFacts.Private);

    public void MakePrivate(string path) => File.SetUnixFileMode(path, FileFacts.Private);
}
