using Launcher.Platform;

namespace Launcher.Config;

/// <summary>The real machine, through <see cref="PathFacts"/> and <see cref="ExecutableLookup"/>.</summary>
internal sealed class HostFileSystem : IConfigFileSystem
{
    public static readonly HostFileSystem Instance = new();

    public string SearchPath => System.Environment.GetEnvironmentVariable("PATH") ?? "";

    public FileKind KindOf(string path) => PathFacts.Kind(path).Kind;

    public bool IsExecutable(string path) => ExecutableLookup.IsExecutable(path);

    public bool CanCreateEntriesIn(string directory) => ExecutableLookup.CanCreateEntriesIn(directory);

    public string? PseudoFileSystemOf(string existingPath) => PathFacts.PseudoFileSystemOf(existingPath);
}
