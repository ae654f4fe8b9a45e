using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Launcher.Supervise;

/// <summary>
/// sd_notify(3) by hand: one datagram of <c>KEY=value</c> lines to <c>NOTIFY_SOCKET</c>. READY=1 only after
/// verification, which <c>UseSystemd()</c> cannot do (it reports ready as soon as the host has started); also
/// STATUS=, WATCHDOG=1, RELOADING=1 and STOPPING=1 (<see cref="SystemdWatchdog"/>, <c>Cli/RunReporter</c>).
/// </summary>
/// <remarks>
/// <see cref="TakeFromEnvironment"/> reads the variables once and removes them, like sd_notify's
/// <c>unset_environment</c>: a worker (gunicorn, for one) that sees NOTIFY_SOCKET would report to systemd as if it
/// were the service, and WATCHDOG_PID names the launcher, not it.
/// </remarks>
internal static class SystemdNotifier
{
    private static readonly Lock Gate = new();
    private static bool _taken;
    private static string? _socket;
    private static TimeSpan? _watchdogInterval;

    /// <summary>True when a service manager listens (<c>NOTIFY_SOCKET</c> was set).</summary>
    public static bool Enabled
    {
        get
        {
            TakeFromEnvironment();
            return !string.IsNullOrEmpty(_socket);
        }
    }

    /// <summary>
    /// Half of <c>WATCHDOG_USEC</c> when systemd expects keep-alive pings from this process (sd_watchdog_enabled(3):
    /// <c>WATCHDOG_PID</c>, when set, must be our pid), else null.
    /// </summary>
    public static TimeSpan? WatchdogInterval
    {
        get
        {
            TakeFromEnvironment();
            return _watchdogInterval;
        }
    }

    /// <summary>Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID once and removes them from the environment children inherit.</summary>
    public static void TakeFromEnvironment()
    {
        lock (Gate)
        {
            if (_taken)
                return;
            _taken = true;
            _socket = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
            _watchdogInterval = ParseWatchdog(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId);
            foreach (var name in (string[])["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"])
                Environment.SetEnvironmentVariable(name, null);
        }
    }

    /// <summary>The ping interval for WATCHDOG_USEC and WATCHDOG_PID (half the timeout), or null when not for us.</summary>
    public static TimeSpan? ParseWatchdog(string? usec, string? pid, int ownPid)
    {
        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var micros) || micros <= 0)
            return null;
        if (!string.IsNullOrEmpty(pid) && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var watched) || watched != ownPid))
            return null;
        return TimeSpan.FromMicroseconds(micros / 2.0);
    }

    /// <summary>Sends <paramref name="state"/>; false when nobody listens or the send failed (never throws).</summary>
    public static bool Notify(string state)
    {
        TakeFromEnvironment();
        var path = _socket;
        if (string.IsNullOrEmpty(path))
            return false;

        // A leading '@' names a socket in the abstract namespace.
        if (path[0] == '@')
            path = "\0" + path[1..];
        try
        {
            // Non-blocking: a manager that stopped reading must not stall a slot's loop (EAGAIN drops the message).
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.Send(Encoding.UTF8.GetBytes(state));
            return true;
        }
        catch (SocketException)
        {
            // Not under systemd after all (or it went away); nothing to tell.
            return false;
        }
    }
}
