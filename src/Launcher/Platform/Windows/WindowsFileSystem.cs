using System.Runtime.Versioning;

namespace Launcher.Platform.Windows;

/// <summary>
/// File facts on Windows. Ownership and permissions are ACLs there, not an owner id and mode bits; the runtime
/// directory lives under the user's own profile (<c>%TEMP%</c>), which Windows makes private to that user, so a
/// directory reads as owned by us and private. A reparse point (symlink or junction) reads as a symlink and is
/// refused like one. ACLs are not inspected (docs/ARCHITECTURE.md, "Windows").
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsFileSystem : IFileSystem
{
    public FileFacts? Inspect(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists && !Directory.Exists(path))
            return null;
        var attributes = File.GetAttributes(path);
        var kind = (attributes & FileAttributes.ReparsePoint) != 0 ? FileKind.SymbolicLink
            : (attributes & FileAttributes.Directory) != 0 ? FileKind.Directory
            : FileKind.RegularFile;
        return new FileFacts(kind, WindowsProcessTable.SameUser, FileFacts.Private);
    }

    // A file identity for RunningLauncher's lock check, which on Windows needs none (see WindowsProcessTable.HoldsWriteFlock).
    public ulong? InodeOf(string path) => File.Exists(path) || Directory.Exists(path) ? 1UL : null;

    public string? ResolveRealPath(string path)
    {
        try
        {
            if (!File.Exists(path) && !Directory.Exists(path))
                return null;
            var full = Path.GetFullPath(path);
            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void CreatePrivateDirectory(string path) => Directory.CreateDirectory(path);

    public void MakePrivate(string path)
    {
    }
}
