using System.Net;
using System.Text;

namespace Launcher.Observe;

/// <summary>
/// The parts of an HTTP/1.x request head the listener needs (RFC 9112 section 3): method, path without the query,
/// and the Host header. Anything else in the head is ignored; a head that is not HTTP/1.x is null (400).
/// </summary>
internal sealed record HttpRequestHead(string Method, string Path, string? Host)
{
    public static HttpRequestHead? Parse(ReadOnlySpan<byte> head)
    {
        string text;
        try
        {
            text = Encoding.ASCII.GetString(head);
        }
        catch (ArgumentException)
        {
            return null;
        }

        var lines = text.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || parts[0].Length == 0 || !parts[1].StartsWith('/'))
            return null;

        string? host = null;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line.AsSpan(0, colon).Equals("Host", StringComparison.OrdinalIgnoreCase))
                host = line[(colon + 1)..].Trim();
        }

        var query = parts[1].IndexOfAny(['?', '#']);
        return new HttpRequestHead(parts[0], query < 0 ? parts[1] : parts[1][..query], host);
    }

    /// <summary>
    /// True when the Host header names this machine by address or as <c>localhost</c>. A loopback listener answers
    /// only those, so a web page that rebinds its own domain name to 127.0.0.1 (DNS rebinding) cannot read it.
    /// </summary>
    public bool HostIsAnAddress()
    {
        if (Host is null)
            return false;
        var name = Host;
        if (name.StartsWith('['))
        {
            var close = name.IndexOf(']');
            return close > 0 && IPAddress.TryParse(name[1..close], out _);
        }

        var colon = name.LastIndexOf(':');
        if (colon >= 0)
            name = name[..colon];
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(name, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
    }
}
