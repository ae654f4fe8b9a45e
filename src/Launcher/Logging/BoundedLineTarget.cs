using CliWrap;

namespace Launcher.Logging;

/// <summary>
/// A pipe target that hands a command's output (an <c>onWorkerExit</c> hook's) to <c>onLine</c> line by line, lines
/// cut at <see cref="OutputBounds.MaxLineChars"/>, until <c>maxChars</c> were handed on; after that it reads to the
/// end and discards, calling <c>onDiscarding</c> once, so a hook that prints without end neither fills the
/// launcher's memory or log nor blocks on a full pipe.
/// </summary>
internal sealed class BoundedLineTarget(int maxChars, Action<string> onLine, Action onDiscarding) : PipeTarget
{
    private readonly Lock _gate = new();
    private long _handedOn;
    private bool _discarding;

    public override async Task CopyFromAsync(Stream origin, CancellationToken cancellationToken = default)
    {
        await foreach (var line in BoundedLineReader.ReadLinesAsync(origin, OutputBounds.MaxLineChars, cancellationToken))
        {
            bool handOn;
            var firstDiscard = false;
            lock (_gate)
            {
                handOn = !_discarding && _handedOn + line.Length <= maxChars;
                if (handOn)
                    _handedOn += line.Length;
                else if (!_discarding)
                    _discarding = firstDiscard = true;
            }

            if (handOn)
                onLine(line);
            else if (firstDiscard)
                onDiscarding();
        }
    }
}
