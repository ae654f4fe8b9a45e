using System.Globalization;
using System.Runtime.Versioning;

namespace Launcher.Platform;

/// <summary>
/// Drops this process's page-table entries for the clean, read-only pages of its own executable (code and
/// read-only data that start-up touched: the host, the config binder, the command line parser), with
/// <c>madvise(MADV_DONTNEED)</c> (madvise(2)). The pages stay in the page cache; a later use maps them back with a
/// minor fault, so nothing is lost and nothing is read from disk again; only the resident set shrinks to what is
/// really used while idle. A mapping is touched only when it is private, not writable, and holds no private copy
/// of any page (smaps "Anonymous: 0 kB", proc(5)): its content is then exactly the file's, which cannot change
/// under a running executable (execve(2): ETXTBSY).
/// </summary>
[SupportedOSPlatform("linux")]
internal static class LinuxMemoryTrim
{
    private const int MADV_DONTNEED = 4;

    public static void DropCleanProgramPages()
    {
        string smaps;
        string? program;
        try
        {
            smaps = File.ReadAllText("/proc/self/smaps");
            program = Environment.ProcessPath is { } path ? Path.GetFullPath(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        if (program is null)
            return;

        foreach (var (start, length) in CleanReadOnlyMappings(smaps, program))
            _ = LibC.MAdvise(start, length, MADV_DONTNEED);
    }

    /// <summary>The mappings of <paramref name="program"/> that are private, not writable and without a private page.</summary>
    internal static List<(nint Start, nuint Length)> CleanReadOnlyMappings(string smaps, string program)
    {
        var found = new List<(nint, nuint)>();
        (nint Start, nuint Length)? current = null;
        foreach (var line in smaps.Split('\n'))
        {
            if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && IsMappingLine(line))
            {
                current = Candidate(line, program);
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

    private static (nint, nuint)? Candidate(string line, string program)
    {
        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 6 || fields[5].Trim() != program)
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
