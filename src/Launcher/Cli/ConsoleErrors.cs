namespace Launcher.Cli;

/// <summary>One-line errors on stderr: red on a terminal, plain when redirected.</summary>
internal static class ConsoleErrors
{
    public static void Write(string message)
    {
        var colour = !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
        Console.Error.WriteLine(colour ? $"\u001b[31mlauncher: {message}\u001b[0m" : $"launcher: {message}");
    }
}
