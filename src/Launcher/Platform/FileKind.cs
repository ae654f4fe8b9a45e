namespace Launcher.Platform;

/// <summary>What a path names, after following symlinks: see <see cref="PathFacts.Kind"/>.</summary>
internal enum FileKind
{
    Missing,
    RegularFile,
    Directory,

    /// <summary>A FIFO, socket or device: opening or reading it may block or never end (<c>/dev/zero</c>).</summary>
    Special,
}
