using System.Net.Sockets;
using System.Text;

namespace Launcher.Supervise;

/// <summary>
/// sd_notify(3) by hand: READY=1 only after verification, which <c>UseSystemd()</c> cannot do (it reports
/// ready as soon as the host has started).
/// </summary>
internal static class SystemdNotifier
{
    public static void Notify(string state)
    {
        var path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path))
            return;

        // A leading '@' names a socket in the abstract namespace.
        if (path[0] == '@')
            path = "\0" + path[1..];
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.Send(Encoding.UTF8.GetBytes(state));
        }
        catch (SocketException)
        {
            // Not under systemd after all; nothing to tell.
        }
    }
}
