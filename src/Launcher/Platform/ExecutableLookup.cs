namespace Launcher.Platform;

/// <summary>
/// Permission checks the config loader makes before anything starts, with the kernel's own rules (<c>access(2)</c>:
/// the real uid, ACLs, a read-only mount, root's execute rule), which file mode bits alone would not tell.
/// </summary>
internal static class ExecutableLookup
{
    /// <summary>Whether <c>execve(2)</c> would be allowed to run <paramref name="path"/> (X_OK), as execvp tests PATH entries.</summary>
    public static bool IsExecutable(string path) => !OperatingSystem.IsLinux() || LibC.Access(path, LibC.X_OK) == 0;

    /// <summary>Whether entries could be created in the existing directory <paramref name="directory"/> (W_OK and X_OK).</summary>
    public static bool CanCreateEntriesIn(string directory) => !OperatingSystem.IsLinux() || LibC.Access(directory, LibC.W_OK | LibC.X_OK) == 0;
}
