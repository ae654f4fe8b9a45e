namespace Launcher.Platform;

/// <summary>
/// The file facts the runtime directory's safety checks need and .NET does not give: who owns a path, its type
/// and mode without following a final symlink. (Permission checks with the kernel's rules: <see cref="ExecutableLookup"/>.)
/// </summary>
internal interface IFileSystem
{
    /// <summary>Type, owner and mode of <paramref name="path"/> itself (a symlink is not followed); null when it does not exist.</summary>
    FileFacts? Inspect(string path);

    /// <summary>The inode number of <paramref name="path"/> itself (a symlink is not followed); null when it cannot be read.</summary>
    ulong? InodeOf(string path);

    /// <summary>
    /// realpath(3): the absolute path with every symlink resolved, in the directories too, as the kernel's
    /// <c>/proc/&lt;pid&gt;/exe</c> link shows it; null when the path does not exist.
    /// </summary>
    string? ResolveRealPath(string path);

    /// <summary>Creates one directory level readable, writable and searchable by its owner only.</summary>
    void CreatePrivateDirectory(string path);

    /// <summary>Restricts an existing directory to its owner.</summary>
    void MakePrivate(string path);
}
