using System.CommandLine;
using Launcher.Config;
using Launcher.Logs;
using Spectre.Console;

namespace Launcher.Cli;

/// <summary>
/// `launcher logs [-f] [--node NODE] [--since DURATION]`: the launcher log and every worker log of the instance's
/// logDir, merged in time order, each line prefixed with its node (coloured on a terminal). `-f` keeps reading,
/// polling the directory every 250 ms, so workers spawned after a restart show up by themselves.
/// </summary>
internal static class LogsCommand
{
    /// <summary>How often `-f` looks for new lines and new files: cheap (one directory listing, one stat per file).</summary>
    private static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(250);

    public static Command Create(Option<string?> config)
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "keep printing new lines, also of workers started later (Ctrl+C ends)" };
        var node = new Option<string?>("--node") { Description = "only this node: api<pid>@<host>, api<pid>, or launcher" };
        var since = new Option<string?>("--since") { Description = "only lines of the last DURATION: 90s, 10m, 1h30m, 2d" };
        since.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && SinceDuration.TryParse(text, out var problem) is null)
                result.AddError(problem!);
        });
        node.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && (text.Length == 0 || text.Any(char.IsWhiteSpace)))
                result.AddError($"--node '{text}' is not a node name (api<pid>@<host>, api<pid> or launcher)");
        });

        var logs = new Command("logs", "Show the launcher's and the workers' logs merged in time order, each line prefixed with its node.") { follow, node, since };
        logs.SetAction((result, cancellationToken) => CliApp.Guarded(() =>
        {
            var sinceText = result.GetValue(since);
            var window = sinceText is null ? (TimeSpan?)null : SinceDuration.TryParse(sinceText, out _);
            return ExecuteAsync(result.GetValue(config), result.GetValue(follow), result.GetValue(node), window, TimeProvider.System, cancellationToken);
        }));
        return logs;
    }

    /// <summary>The `--help` examples.</summary>
    public static string[] Examples =>
    [
        "launcher logs                    # everything so far, in time order",
        "launcher logs -f --since 10m     # the last ten minutes, then follow (new workers too)",
        "launcher logs --node api4242 | grep -i error",
    ];

    private static async Task<int> ExecuteAsync(string? configPath, bool follow, string? node, TimeSpan? since, TimeProvider time, CancellationToken cancellationToken)
    {
        var spec = ConfigLoader.LoadForReading(configPath);
        var reader = new LogDirectoryReader(spec.LogDir, file => node is null || file.Matches(node));
        var notBefore = since is { } window ? time.GetUtcNow() - window : DateTimeOffset.MinValue;
        using var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
        var printer = new LogPrinter(stdout, colour: UsesColour());
        try
        {
            var first = reader.ReadNew();
            if (!follow && !reader.Nodes.Any())
                return NothingFound(spec.LogDir, node);

            printer.Widen(reader.Nodes);
            var open = printer.Write(first.Where(entry => entry.Timestamp >= notBefore));
            while (follow && open)
            {
                await Task.Delay(FollowInterval, time, cancellationToken);
                open = printer.Write(reader.ReadNew());
            }

            return ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
    }

    private static int NothingFound(string logDir, string? node)
    {
        if (node is null)
        {
            // No logs yet is an answer, not an error: the instance has not run here.
            Console.Error.WriteLine($"launcher: no launcher or worker logs in {logDir} yet");
            return ExitCodes.Ok;
        }

        var all = new LogDirectoryReader(logDir, _ => true);
        all.ReadNew();
        var known = string.Join(", ", all.Nodes.Order(StringComparer.Ordinal));
        ConsoleErrors.Write($"--node '{node}': no log of that node in {logDir} ({(known.Length == 0 ? "no logs there" : "nodes: " + known)})");
        return ExitCodes.BadUsage;
    }

    /// <summary>Colours exactly when the launcher's other output would have them (Terminal: a terminal, NO_COLOR unset).</summary>
    private static bool UsesColour() => Terminal.Stdout().Profile.Capabilities.ColorSystem != ColorSystem.NoColors;
}
