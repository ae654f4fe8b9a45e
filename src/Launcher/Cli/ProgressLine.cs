namespace Launcher.Cli;

/// <summary>A single self-overwriting status line on a terminal; silent when output is redirected.</summary>
internal sealed class ProgressLine : IDisposable
{
    private static readonly char[] Spinner = ['|', '/', '-', '\\'];
    private readonly bool _enabled = !Console.IsErrorRedirected;
    private int _frame;
    private int _width;

    public void Update(string text)
    {
        if (!_enabled)
            return;
        var line = $"{Spinner[_frame++ % Spinner.Length]} {text}";
        Console.Error.Write("\r" + line.PadRight(_width));
        _width = line.Length;
    }

    public void Clear()
    {
        if (!_enabled || _width == 0)
            return;
        Console.Error.Write("\r" + new string(' ', _width) + "\r");
        _width = 0;
    }

    public void Dispose() => Clear();
}
