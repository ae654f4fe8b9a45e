using System.Net.Sockets;
using System.Text;
using Launcher.Agent.Protocol;
using Launcher.Exceptions;
using Launcher.Platform;

namespace Launcher.Guard;

/// <summary>
/// The second guard, independent of the runtime directory (issue 10, "two launchers from different runtime
/// directories"): the abstract Unix socket name <c>\0launcher/&lt;uid&gt;/&lt;instance&gt;</c> (unix(7), "Abstract
/// sockets"), bound and listening for the launcher's whole life. An IDE and a terminal with different
/// <c>XDG_RUNTIME_DIR</c> lock different files, but there is one abstract name per user and instance, so exactly one
/// of two racing launchers binds it; the other exits 3 naming the winner, whose pid the kernel reports through
/// <c>SO_PEERCRED</c> (socket(7)). The kernel frees the name when the socket closes, which happens when the launcher
/// dies by any means: it is never stale and there is no file to delete or plant. The socket is close-on-exec, so
/// workers never inherit it. Scope: one network namespace (where the abstract names live); Linux only.
/// </summary>
internal sealed class UserInstanceLock : IDisposable
{
    // unix(7): sun_path is 108 bytes, the leading NUL included.
    private const int MaxNameBytes = 107;
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int HolderAttempts = 25;
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(20);

    private readonly Socket? _socket;

    private UserInstanceLock(Socket? socket)
    {
        _socket = socket;
        if (socket is not null)
            _ = AcceptAndDropAsync(socket);
    }

    /// <summary>The abstract name for this user and instance (hashed when the instance name is too long for it).</summary>
    public static string NameFor(int userId, string instance)
    {
        // The host name is part of the name: hosts that share a network namespace (containers on the host network,
        // the tests' uts-namespace "hosts") each run their own launcher of an instance, which a pid namespace keeps
        // apart anyway; two terminals on one host share it and still exclude each other.
        var name = $"launcher/{userId}/{Environment.MachineName}/{instance}";
        return Encoding.UTF8.GetByteCount(name) <= MaxNameBytes
            ? name
            : $"launcher/{userId}/sha256-{Convert.ToHexStringLower(Sha256.HashData(Encoding.UTF8.GetBytes(Environment.MachineName + "/" + instance)))}";
    }

    /// <summary>Binds the name, or throws <see cref="GuardHeldException"/> (exit 3) naming the launcher that holds it.</summary>
    public static UserInstanceLock Acquire(string instance, IProcessTable processes)
    {
        if (!OperatingSystem.IsLinux())
            return new UserInstanceLock(null); // no abstract socket namespace: the runtime directory lock stands alone

        var endpoint = new UnixDomainSocketEndPoint("\0" + NameFor(processes.CurrentUserId, instance));
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(endpoint);
            socket.Listen(16);
            return new UserInstanceLock(socket);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw HeldBy(endpoint, instance, processes);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static InstanceNameHeldException HeldBy(UnixDomainSocketEndPoint endpoint, string instance, IProcessTable processes)
    {
        var name = NameFor(processes.CurrentUserId, instance);

        // The winner binds, then listens: a connect in between is refused, so give it a moment (about 0.5 s).
        for (var attempt = 1; attempt <= HolderAttempts; attempt++)
        {
            if (PeerOf(endpoint) is { } peer)
            {
                if (peer.UserId != processes.CurrentUserId)
                    return new InstanceNameHeldException(instance, name, null, peer.UserId, null);
                if (peer.Pid <= 0 || processes.Get(peer.Pid) is not { } process)
                    break; // outside this pid namespace
                var holder = new GuardHolder(peer.Pid, process.Identity.StartTicks, processes.StartTimeOf(process.Identity.StartTicks), process.CommandText, "");
                var runtimeDir = processes.ReadEnvironmentVariable(peer.Pid, EnvironmentNames.RuntimeDir)
                    ?? (processes.ReadEnvironmentVariable(peer.Pid, "XDG_RUNTIME_DIR") is { Length: > 0 } xdg ? Path.Combine(xdg, "launcher") : $"/tmp/launcher-{peer.UserId}");
                return new InstanceNameHeldException(instance, name, holder, peer.UserId, runtimeDir);
            }

            Thread.Sleep(RetryInterval);
        }

        return new InstanceNameHeldException(instance, name, null, null, null);
    }

    private static (int Pid, int UserId)? PeerOf(UnixDomainSocketEndPoint endpoint)
    {
        try
        {
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            client.Connect(endpoint);
            // struct ucred { pid_t pid; uid_t uid; gid_t gid; }: the listener's credentials, taken at listen(2).
            Span<byte> credentials = stackalloc byte[12];
            if (client.GetRawSocketOption(SolSocket, SoPeerCred, credentials) < 8)
                return null;
            return (BitConverter.ToInt32(credentials), BitConverter.ToInt32(credentials[4..]));
        }
        catch (SocketException)
        {
            return null;
        }
    }

    // Losers connect to learn who we are; accept and close at once so the backlog never fills.
    private static async Task AcceptAndDropAsync(Socket socket)
    {
        try
        {
            while (true)
            {
                using var client = await socket.AcceptAsync();
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Disposed at exit.
        }
    }

    public void Dispose() => _socket?.Dispose();
}
