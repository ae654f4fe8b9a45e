using System.Globalization;

namespace Launcher.Cli;

/// <summary>
/// `launcher status` and `launcher ping` in their plain forms (<c>--json</c>, <c>--config PATH</c>/<c>-c PATH</c>,
/// ping's <c>--expect N</c>, each at most once, after the verb), recognized before System.CommandLine builds the whole
/// command tree: building it (its help texts come from resources, through reflection) and invoking through it cost
/// about 2 ms of a 30 ms command (issue 12, part 3). Any other command line (another verb, <c>--help</c>, an option
/// before the verb, <c>--config=x</c>, a response file <c>@file</c>, a token given twice, a count that is not a plain
/// number) is left to <see cref="CliApp"/>, so nothing is parsed here that CliApp would parse differently, and its
/// messages and exit codes stay the only ones for bad usage.
/// </summary>
internal static class EarlyCommandLine
{
    /// <summary>The command to run, or null: give <paramref name="args"/> to <see cref="CliApp.RunAsync"/>.</summary>
    public static Func<Task<int>>? TryParse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("status" or "ping"))
            return null;
        var ping = args[0] == "ping";
        string? config = null;
        var json = false;
        int? expect = null;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--json" when !json:
                    json = true;
                    break;
                case "--config" or "-c" when config is null && IsValue(value):
                    config = value;
                    i++;
                    break;
                case "--expect" when ping && expect is null && IsCount(value):
                    expect = int.Parse(value!, NumberStyles.None, CultureInfo.InvariantCulture);
                    i++;
                    break;
                default:
                    return null;
            }
        }

        return ping
            ? () => PingCommand.ExecuteAsync(config, expect, json)
            : () => Task.FromResult(StatusCommand.Execute(config, json));
    }

    /// <summary>Runs <paramref name="command"/> as CliApp would: its known failures through <see cref="CliApp.Guarded"/>, anything else as System.CommandLine reports it (exit 1).</summary>
    public static async Task<int> RunAsync(Func<Task<int>> command)
    {
        try
        {
            return await CliApp.Guarded(command);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Console.Error.WriteLine("Unhandled exception: " + ex);
            return 1;
        }
    }

    // A value System.CommandLine would take as the option's argument, not as a token of its own.
    private static bool IsValue(string? token) => token is { Length: > 0 } && token[0] is not ('-' or '@');

    // 0 to 999,999,999 in plain digits: what --expect accepts (it must be 0 or more), and no overflow to think about.
    private static bool IsCount(string? token) => token is { Length: > 0 and <= 9 } && token.All(char.IsAsciiDigit);
}
