namespace Launcher.Platform;

/// <summary>
/// What a path names. <see cref="PathFacts.Kind"/> follows symlinks; <see cref="IFileSystem.Inspect"/> does not,
/// and is the only one that reports <see cref="SymbolicLink"/>.
/// </summary>
internal enum FileKind
{
    Missing,
    RegularFile,
    Directory,

    /// <summary>A FIFO, socket or device: opening or reading it may block or never end (<c>/dev/zero</c>).</summary>
    Special,

    /// <summary>A symlink itself (only from a lookup that does not follow it).</summary>
    SymbolicLink,
}
