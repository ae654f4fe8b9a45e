using System.Text.RegularExpressions;
using Launcher.Config;
using Launcher.Config.Schema;
using Launcher.Exceptions;

namespace Launcher.Census;

/// <summary>
/// Reads the <c>census</c> section into a <see cref="CensusSpec"/> (or null: no census). Called by
/// <see cref="ConfigValidator"/>; every failure is a <see cref="ConfigException"/> naming the key (exit 2).
/// </summary>
internal static partial class CensusConfig
{
    /// <summary>The placeholders that name one worker: a census lists every node, so they mean nothing in its command.</summary>
    private static readonly string[] PerWorkerPlaceholders = ["node", "pid", "index"];

    public static CensusSpec? Read(ConfigValues values, CommandValidator commands)
    {
        var command = commands.Validate(ConfigSchema.CensusCommand, values);
        if (command is null)
        {
            if (values.HasSection("census"))
                throw new ConfigException(ConfigSchema.CensusCommand.Path, "is required when census is set: the argv of a command that prints the nodes consuming now, one per line (docs/PROTOCOL.md, \"Census\")");
            return null;
        }

        var argv = values.Get(ConfigSchema.CensusCommand);
        for (var i = 0; i < argv.Count; i++)
        {
            foreach (Match match in Placeholder().Matches(argv[i]))
            {
                if (PerWorkerPlaceholders.Contains(match.Groups[1].Value, StringComparer.Ordinal))
                    throw new ConfigException($"{ConfigSchema.CensusCommand.Path}[{i}]", $"{match.Value} names one worker, but a census lists every node; use {{host}}, {{instance}}, {{configDir}} or {{launcherDir}}");
            }
        }

        var scopeText = values.Get(ConfigSchema.CensusScope);
        var scope = scopeText switch
        {
            "host" => CensusScope.Host,
            "all" => CensusScope.All,
            _ => throw new ConfigException(ConfigSchema.CensusScope.Path, $"must be \"host\" (nodes of this host, the default) or \"all\" (every node on the queue), not '{OutputCut(scopeText)}'"),
        };

        return new CensusSpec(command, scope, values.Get(ConfigSchema.CensusInterval), values.Get(ConfigSchema.CensusTimeout));
    }

    private static string OutputCut(string text) => text.Length <= 40 ? text.ReplaceLineEndings("\\n") : text[..40].ReplaceLineEndings("\\n") + "...";

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Placeholder();
}
