using System.Globalization;

namespace Launcher.Census;

/// <summary>
/// The launcher's node names, <c>api&lt;pid&gt;@&lt;host&gt;</c> (<see cref="Agent.Protocol.SelfIdentity.NodeName"/>):
/// a census node named this way on this host was a worker of a launcher here, and the name carries its pid.
/// </summary>
internal static class OurNaming
{
    public const string Prefix = "api";

    /// <summary>The pid in <paramref name="node"/> when it is <c>api&lt;pid&gt;@<paramref name="host"/></c>, else null.</summary>
    public static int? PidOf(string node, string host)
    {
        var at = node.IndexOf('@', StringComparison.Ordinal);
        if (at <= Prefix.Length || !node.StartsWith(Prefix, StringComparison.Ordinal))
            return null;
        if (!string.Equals(node[(at + 1)..], host, StringComparison.OrdinalIgnoreCase))
            return null;
        var digits = node.AsSpan(Prefix.Length, at - Prefix.Length);
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
                return null;
        }

        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
    }
}
