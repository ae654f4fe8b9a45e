using System.Globalization;
using System.Text.RegularExpressions;
using Launcher.Agent.Protocol;

namespace Launcher.Logs;

/// <summary>
/// The node a log file belongs to, read from its name: <c>launcher.log</c> is the launcher's own, and
/// <c>worker_&lt;pid&gt;.log</c> is the worker <c>api&lt;pid&gt;@&lt;host&gt;</c> (Spawn/WorkerSpawner). Files rolled by size
/// (Serilog.Sinks.File) carry a sequence number, <c>worker_&lt;pid&gt;_001.log</c>, and come after the unnumbered one.
/// </summary>
internal sealed partial record LogFileName(string Path, string Node, int Pid, int Sequence)
{
    /// <summary>The node name shown for the launcher's own log.</summary>
    public const string LauncherNode = "launcher";

    /// <summary>The file's node and place, or null when <paramref name="path"/> is not a launcher or worker log.</summary>
    public static LogFileName? TryParse(string path)
    {
        var match = Pattern().Match(System.IO.Path.GetFileName(path));
        if (!match.Success)
            return null;

        var sequence = match.Groups["seq"].Success ? int.Parse(match.Groups["seq"].ValueSpan, CultureInfo.InvariantCulture) : 0;
        if (!match.Groups["pid"].Success)
            return new LogFileName(path, LauncherNode, 0, sequence);

        return int.TryParse(match.Groups["pid"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? new LogFileName(path, SelfIdentity.NodeName(pid), pid, sequence)
            : null;
    }

    /// <summary>True when <paramref name="filter"/> names this node: in full, before the '@', or "launcher".</summary>
    public bool Matches(string filter) =>
        Node == filter || (Pid != 0 && Node.StartsWith(filter + "@", StringComparison.Ordinal));

    [GeneratedRegex(@"^(?:launcher|worker_(?<pid>[0-9]{1,10}))(?:_(?<seq>[0-9]{3,9}))?\.log$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
