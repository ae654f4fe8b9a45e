using System.Globalization;
using System.Net;
using Launcher.Exceptions;

namespace Launcher.Observe;

/// <summary>
/// Where the metrics and status page listener binds (<c>metrics.listen</c>): an IP address literal or
/// <c>localhost</c>, and a port (0: any free port, the bound one is logged). Nothing is resolved through DNS: the
/// listener binds exactly what was written, so a non-loopback address is only ever one the user typed.
/// </summary>
internal sealed record ListenAddress(IPAddress Address, int Port)
{
    public const string Key = "metrics.listen";

    /// <summary>True for 127.0.0.0/8 and ::1: only this machine can connect.</summary>
    public bool IsLoopback => IPAddress.IsLoopback(Address);

    public IPEndPoint EndPoint => new(Address, Port);

    /// <summary>The form written in config, e.g. <c>127.0.0.1:9464</c> or <c>[::1]:9464</c>.</summary>
    public override string ToString() => EndPoint.ToString();

    /// <summary>
    /// Parses <paramref name="text"/> (empty: the listener is off, null). Every problem is a
    /// <see cref="ConfigException"/> naming <see cref="Key"/>, so a bad value is exit 2 with one line.
    /// </summary>
    public static ListenAddress? Parse(string text)
    {
        if (text.Length == 0)
            return null;

        var example = "e.g. \"127.0.0.1:9464\" or \"[::1]:9464\" (this machine only), or \"0.0.0.0:9464\" for every interface";
        string host, port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
                throw Bad(text, $"must be [IPv6 address]:port, {example}");
            host = text[1..close];
            port = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0)
                throw Bad(text, $"must be address:port, {example}");
            host = text[..colon];
            port = text[(colon + 1)..];
            if (host.Contains(':'))
                throw Bad(text, $"an IPv6 address goes in brackets, e.g. \"[::1]:9464\"");
        }

        if (host.Length == 0)
            throw Bad(text, $"names no address; write it, {example}");
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > IPEndPoint.MaxPort)
            throw Bad(text, $"has port \"{port}\"; it must be 0-65535 (0: any free port, logged at start)");

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return new ListenAddress(IPAddress.Loopback, number);
        if (!IPAddress.TryParse(host, out var address) || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && host.Count(c => c == '.') != 3))
            throw Bad(text, $"has \"{host}\", which is not an IP address (names are not resolved: the listener binds exactly what is written), {example}");
        if (host.Contains('%') || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0))
            throw Bad(text, "has a scoped IPv6 address; use an unscoped one such as ::1");
        return new ListenAddress(address, number);
    }

    private static ConfigException Bad(string text, string why) => new(Key, $"\"{text}\" {why}");
}
