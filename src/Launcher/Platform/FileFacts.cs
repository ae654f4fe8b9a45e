namespace Launcher.Platform;

/// <summary>What <see cref="IFileSystem.Inspect"/> found at a path, as read at one moment.</summary>
/// <param name="Kind">Directory, symlink or anything else.</param>
/// <param name="OwnerUserId">The owning user id.</param>
/// <param name="Mode">The permission bits (no file-type bits).</param>
internal sealed record FileFacts(FileKind Kind, int OwnerUserId, UnixFileMode Mode)
{
    /// <summary>Readable, writable and searchable by the owner only: what a runtime directory must be.</summary>
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public bool IsPrivate => Mode == Private;
}
