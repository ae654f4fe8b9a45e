using Spectre.Console;

namespace Launcher.Cli;

/// <summary>
/// Spectre.Console consoles for the launcher's own output. On a terminal: colours and borders as the terminal
/// supports them (Spectre honours NO_COLOR and TERM). Redirected to a file or a pipe: no escape codes at all,
/// no borders and no wrapping, so scripts can grep and cut the lines.
/// </summary>
internal static class Terminal
{
    /// <summary>A console writing to stdout.</summary>
    public static IAnsiConsole Stdout() => Create(Console.Out, Console.IsOutputRedirected);

    /// <summary>True when stdout is a terminal that gets colours and borders.</summary>
    public static bool IsRich(IAnsiConsole console) => console.Profile.Capabilities.Interactive;

    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(writer),
        });
        if (redirected)
            console.Profile.Width = 4096; // a pipe has no width: never wrap a log path
        return console;
    }
}
