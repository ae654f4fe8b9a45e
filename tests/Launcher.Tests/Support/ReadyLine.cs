using System.Globalization;
using System.Text.RegularExpressions;

namespace Launcher.Tests.Support;

/// <summary>
/// The one parser of the launcher's ready line, <c>ready: N/N workers verified (api4242@host, ...)</c> (a fixed
/// part of the contract, see DESIGN.md), and of node names <c>api&lt;pid&gt;@&lt;host&gt;</c>.
/// </summary>
internal static partial class ReadyLine
{
    /// <summary>True for a ready line.</summary>
    public static bool Is(string line) => Pattern().IsMatch(line);

    /// <summary>The node names listed in a ready line (empty when <paramref name="line"/> is none).</summary>
    public static IReadOnlyList<string> Nodes(string line)
    {
        var match = Pattern().Match(line);
        return match.Success ? match.Groups["nodes"].Value.Split(", ", StringSplitOptions.RemoveEmptyEntries) : [];
    }

    /// <summary>The verified and expected counts (<c>N/M</c>) of a ready line.</summary>
    public static (int Verified, int Expected) Counts(string line)
    {
        var match = Pattern().Match(line);
        return match.Success
            ? (int.Parse(match.Groups["verified"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["expected"].Value, CultureInfo.InvariantCulture))
            : throw new FormatException($"not a ready line: {line}");
    }

    /// <summary>The pid in a node name <c>api&lt;pid&gt;@&lt;host&gt;</c> (as the launcher sees it).</summary>
    public static int PidOf(string node)
    {
        var match = NodePattern().Match(node);
        return match.Success
            ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new FormatException($"'{node}' is not a node name api<pid>@<host>");
    }

    /// <summary>The pids (as the launcher sees them) named in a ready line.</summary>
    public static IReadOnlyList<int> Pids(string line) => Nodes(line).Select(PidOf).ToList();

    [GeneratedRegex(@"ready: (?<verified>\d+)/(?<expected>\d+) workers verified(?: \((?<nodes>[^)]*)\))?")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^api(\d+)@")]
    private static partial Regex NodePattern();
}
