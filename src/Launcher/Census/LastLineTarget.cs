using CliWrap;
using Launcher.Logging;

namespace Launcher.Census;

/// <summary>
/// A pipe target that keeps only the last non-empty line of a stream (cut at 512 chars), reading everything: what a
/// failing census command said last on stderr (usually the error) names the reason in one line.
/// </summary>
internal sealed class LastLineTarget : PipeTarget
{
    private const int KeptChars = OutputBounds.RecentLineChars;
    private volatile string? _last;

    public string? LastLine => _last;

    public override async Task CopyFromAsync(Stream origin, CancellationToken cancellationToken = default)
    {
        await foreach (var line in BoundedLineReader.ReadLinesAsync(origin, OutputBounds.MaxLineChars, cancellationToken))
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0)
                _last = trimmed.Length <= KeptChars ? trimmed : trimmed[..KeptChars] + "...";
        }
    }
}
