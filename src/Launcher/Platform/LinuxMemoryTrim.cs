using System.Globalization;
using System.Runtime.Versioning;

namespace Launcher.Platform;

/// <summary>
/// Drops this process's page-table entries for the clean, read-only pages of the files it maps: its own executable
/// (code and read-only data that start-up touched: the host, the config binder, the command line parser) and the
/// shared libraries (libc, libm, the dynamic loader), with <c>madvise(MADV_DONTNEED)</c> (madvise(2)). The pages stay
/// in the page cache; a later use maps them back with a minor fault, so nothing is lost and nothing is read from disk
/// again; only the resident set shrinks to what is really used while idle. A mapping is touched only when it is
/// private, not writable, backed by a file, and holds no private copy of any page (smaps "Anonymous: 0 kB", proc(5)):
/// every page it maps is then the page cache's own page, exactly what a fresh fault would map again.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class LinuxMemoryTrim
{
    private const int MADV_DONTNEED = 4;

    public static void DropCleanFilePages()
    {
        string smaps;
        try
        {
            smaps = File.ReadAllText("/proc/self/smaps");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var (start, length) in CleanReadOnlyMappings(smaps))
            _ = LibC.MAdvise(start, length, MADV_DONTNEED);
    }

    /// <summary>The file mappings that are private, not writable and without a private page.</summary>
    internal static List<(nint Start, nuint Length)> CleanReadOnlyMappings(string smaps)
    {
        var found = new List<(nint, nuint)>();
        (nint Start, nuint Length)? current = null;
        foreach (var line in smaps.Split('\n'))
        {
            if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && IsMappingLine(line))
            {
                current = Candidate(line);
                continue;
            }

            if (current is { } mapping && line.StartsWith("Anonymous:", StringComparison.Ordinal))
            {
                if (line.AsSpan("Anonymous:".Length).Trim().StartsWith("0 kB", StringComparison.Ordinal))
                    found.Add(mapping);
                current = null;
            }
        }

        return found;
    }

    // "start-end perms offset dev inode path": a mapping's header; the field lines ("Rss:    12 kB") start with a name.
    private static bool IsMappingLine(string line)
    {
        var dash = line.IndexOf('-', StringComparison.Ordinal);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return dash > 0 && space > dash;
    }

    private static (nint, nuint)? Candidate(string line)
    {
        // A file's path is absolute; [heap], [stack], [vdso] and anonymous mappings are not files.
        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 6 || !fields[5].StartsWith('/'))
            return null;
        var permissions = fields[1];
        if (permissions.Length < 4 || permissions[1] == 'w' || permissions[3] != 'p')
            return null;
        var range = fields[0].Split('-');
        if (range.Length != 2
            || !ulong.TryParse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
            || !ulong.TryParse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end)
            || end <= start)
        {
            return null;
        }

        return ((nint)start, (nuint)(end - start));
    }
}
