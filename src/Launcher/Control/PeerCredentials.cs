using System.Net.Sockets;

namespace Launcher.Control;

/// <summary>
/// Who is at the other end of a connected Unix socket, as the kernel says (<c>SO_PEERCRED</c>, socket(7)): the
/// peer's pid and uid when it called connect(2) or listen(2). Nothing the peer sends can change them.
/// </summary>
internal readonly record struct PeerCredentials(int Pid, int UserId)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>The peer of <paramref name="socket"/> (the control client's own socket), or null when the kernel does not say.</summary>
    public static PeerCredentials? Of(Platform.UnixStreamSocket socket)
    {
        Span<byte> credentials = stackalloc byte[12];
        return OperatingSystem.IsLinux() && socket.GetSocketOption(SoPeerCred, credentials) >= 8 ? Read(credentials) : null;
    }

    /// <summary>The peer of <paramref name="socket"/>, or null when the kernel does not say (not Linux, or not connected).</summary>
    public static PeerCredentials? Of(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        try
        {
            Span<byte> credentials = stackalloc byte[12];
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials) < 8)
                return null;
            return Read(credentials);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
    private static PeerCredentials Read(ReadOnlySpan<byte> credentials) =>
        new(BitConverter.ToInt32(credentials), BitConverter.ToInt32(credentials[4..]));
}
