using System.Globalization;

namespace Launcher.Logging;

/// <summary>
/// The files of one size-rolled Serilog log: <c>worker_42.log</c>, then <c>worker_42_001.log</c>,
/// <c>worker_42_002.log</c>... (Serilog.Sinks.File with <c>rollOnFileSizeLimit</c> and no interval); the oldest are
/// deleted past <c>retainedFileCountLimit</c>, so the first name soon names nothing.
/// </summary>
internal static class LogFileSet
{
    /// <summary>The file being written now: the highest-numbered existing file of the set, else <paramref name="path"/>.</summary>
    public static string CurrentFile(string path)
    {
        var best = path;
        var bestSequence = -1;
        foreach (var (file, sequence) in Files(path))
        {
            if (sequence > bestSequence)
                (best, bestSequence) = (file, sequence);
        }

        return best;
    }

    /// <summary>The existing files of the set with their sequence numbers (0 for the first, unnumbered file).</summary>
    public static IEnumerable<(string File, int Sequence)> Files(string path)
    {
        var directory = Path.GetDirectoryName(path);
        if (string.IsNullOrEmpty(directory))
            directory = ".";
        var stem = Path.GetFileNameWithoutExtension(path);
        var extension = Path.GetExtension(path);
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(directory, stem + "*" + extension).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var file in candidates)
        {
            if (SequenceOf(Path.GetFileName(file), stem, extension) is { } sequence)
                yield return (file, sequence);
        }
    }

    /// <summary>0 for <c>stem.ext</c>, N for <c>stem_NNN.ext</c>, null for any other name.</summary>
    public static int? SequenceOf(string fileName, string stem, string extension)
    {
        if (!fileName.StartsWith(stem, StringComparison.Ordinal) || !fileName.EndsWith(extension, StringComparison.Ordinal))
            return null;
        var middle = fileName.AsSpan(stem.Length, fileName.Length - stem.Length - extension.Length);
        if (middle.IsEmpty)
            return 0;
        return middle.Length >= 4 && middle[0] == '_'
            && int.TryParse(middle[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            ? sequence
            : null;
    }
}
