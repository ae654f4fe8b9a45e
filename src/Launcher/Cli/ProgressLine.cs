using Spectre.Console;

namespace Launcher.Cli;

/// <summary>
/// A single self-overwriting status line on stderr (spinner and "1/3 answered"), only when stderr is a terminal.
/// </summary>
/// <remarks>
/// Spectre.Console's own Status display would move the cursor up on every refresh and overwrite the lines the
/// launcher's log (and `--debug`'s worker echo) write to the same terminal meanwhile; a carriage return only
/// ever rewrites the current line. Spectre still picks the spinner the terminal can show.
/// </remarks>
internal sealed class ProgressLine : IDisposable
{
    private readonly bool _enabled = !Console.IsErrorRedirected;
    private readonly Lock _gate = new();
    private readonly IReadOnlyList<string> _frames;
    private readonly bool _colour;
    private int _frame;
    private int _width;

    public ProgressLine()
    {
        if (!_enabled)
        {
            _frames = [];
            return;
        }

        var profile = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Profile;
        _frames = (profile.Capabilities.Unicode ? Spinner.Known.Dots : Spinner.Known.Line).Frames;
        _colour = profile.Capabilities.ColorSystem != ColorSystem.NoColors;
    }

    public void Update(string text)
    {
        if (!_enabled)
            return;
        lock (_gate)
        {
            var frame = _frames[_frame++ % _frames.Count];
            var line = $"{frame} {text}";
            Console.Error.Write("\r" + (_colour ? $"\u001b[33m{frame}\u001b[0m {text}" : line) + new string(' ', Math.Max(0, _width - line.Length)));
            _width = line.Length;
        }
    }

    public void Clear()
    {
        if (!_enabled)
            return;
        lock (_gate)
        {
            if (_width == 0)
                return;
            Console.Error.Write("\r" + new string(' ', _width) + "\r");
            _width = 0;
        }
    }

    public void Dispose() => Clear();
}
