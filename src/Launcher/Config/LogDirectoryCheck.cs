using Launcher.Exceptions;
using Launcher.Platform;

namespace Launcher.Config;

/// <summary>
/// Whether logDir could be created and would keep what is written to it. The directory is created only later, when
/// the launcher really starts; here nothing is created.
/// </summary>
internal static class LogDirectoryCheck
{
    public static void Check(string key, string directory, IConfigFileSystem files)
    {
        var kind = files.KindOf(directory);
        if (kind is FileKind.RegularFile or FileKind.Special)
            throw new ConfigException(key, $"{directory} is a file, not a directory");

        var existing = directory;
        while (files.KindOf(existing) != FileKind.Directory)
        {
            // A file on the way (logs/x under a file "logs") makes the directory impossible, even for root.
            if (files.KindOf(existing) != FileKind.Missing)
                throw new ConfigException(key, $"{directory} cannot be created: {existing} is a file");
            existing = Path.GetDirectoryName(existing) ?? "/";
        }

        // /proc, /sys and the like accept or refuse writes by their own rules and keep nothing: every log would be lost.
        if (files.PseudoFileSystemOf(existing) is { } pseudo)
            throw new ConfigException(key, $"{directory} is on {pseudo}, a kernel pseudo file system that keeps no files; choose a directory on disk");

        if (!files.CanCreateEntriesIn(existing))
            throw new ConfigException(key, $"{directory} is not writable (no write permission on {existing})");
    }
}
