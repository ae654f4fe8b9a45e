using Launcher.Platform;

namespace Launcher.Config;

/// <summary>
/// The facts about the machine <see cref="ConfigValidator"/> needs (does the program exist and may it run, could
/// logDir be created), so that the validator stays a pure function that tests drive in memory.
/// </summary>
internal interface IConfigFileSystem
{
    /// <summary>What <paramref name="path"/> names, following symlinks.</summary>
    FileKind KindOf(string path);

    /// <summary>Whether <c>execve(2)</c> may run the file.</summary>
    bool IsExecutable(string path);

    /// <summary>Whether files could be created in the existing directory.</summary>
    bool CanCreateEntriesIn(string directory);

    /// <summary>The kernel pseudo file system <paramref name="existingPath"/> lies on (<c>proc</c>, <c>sysfs</c>), else null.</summary>
    string? PseudoFileSystemOf(string existingPath);

    /// <summary>The <c>PATH</c> a bare program name is looked up on.</summary>
    string SearchPath { get; }
}
