using Launcher.Config;
using Launcher.Platform;

namespace Launcher.Tests;

/// <summary>
/// A machine made of a few paths, for <see cref="ConfigValidator"/> tests without files: directories, files (executable
/// or not), special files, and mount points of pseudo file systems.
/// </summary>
internal sealed class InMemoryConfigFileSystem : IConfigFileSystem
{
    private readonly Dictionary<string, FileKind> _kinds = new(StringComparer.Ordinal) { ["/"] = FileKind.Directory };
    private readonly HashSet<string> _executables = new(StringComparer.Ordinal);
    private readonly HashSet<string> _readOnly = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _pseudoMounts = new(StringComparer.Ordinal);

    public string SearchPath { get; set; } = "/usr/bin:/bin";

    /// <summary>A directory and every directory above it.</summary>
    public InMemoryConfigFileSystem Directory(string path, bool writable = true)
    {
        for (var dir = path; dir is not null; dir = Path.GetDirectoryName(dir))
            _kinds.TryAdd(dir, FileKind.Directory);
        if (!writable)
            _readOnly.Add(path);
        return this;
    }

    public InMemoryConfigFileSystem File(string path, bool executable = false, FileKind kind = FileKind.RegularFile)
    {
        Directory(Path.GetDirectoryName(path)!);
        _kinds[path] = kind;
        if (executable)
            _executables.Add(path);
        return this;
    }

    /// <summary>Everything at and under <paramref name="mountPoint"/> lies on pseudo file system <paramref name="name"/>.</summary>
    public InMemoryConfigFileSystem PseudoMount(string mountPoint, string name)
    {
        Directory(mountPoint);
        _pseudoMounts[mountPoint] = name;
        return this;
    }

    public FileKind KindOf(string path) => _kinds.GetValueOrDefault(path, FileKind.Missing);

    public bool IsExecutable(string path) => _executables.Contains(path);

    public bool CanCreateEntriesIn(string directory) => !_readOnly.Contains(directory);

    public string? PseudoFileSystemOf(string existingPath) =>
        _pseudoMounts.FirstOrDefault(m => existingPath == m.Key || existingPath.StartsWith(m.Key + "/", StringComparison.Ordinal)).Value;
}
