using System.Net.Sockets;
using System.Text;

namespace Launcher.Tests.Support;

/// <summary>
/// A datagram socket standing in for systemd's NOTIFY_SOCKET (sd_notify(3)): it receives every message the launcher
/// sends, in order, until disposed. Pass <see cref="Environment"/> to the launcher.
/// </summary>
internal sealed class NotifyListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly List<string> _messages = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;

    public NotifyListener(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _receiving = Task.Run(ReceiveAsync);
    }

    public string Path { get; }

    /// <summary>NOTIFY_SOCKET for the launcher.</summary>
    public Dictionary<string, string?> Environment => new() { ["NOTIFY_SOCKET"] = Path };

    /// <summary>Every message so far, oldest first.</summary>
    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
                return [.. _messages];
        }
    }

    /// <summary>How many messages so far contain <paramref name="line"/> as one of their lines.</summary>
    public int Count(string line) => Messages.Count(m => HasLine(m, line));

    /// <summary>Everything received, for assertion messages.</summary>
    public string Describe() => string.Join("\n---\n", Messages);

    public static bool HasLine(string message, string line) => message.Split('\n').Contains(line);

    /// <summary>The value of <paramref name="key"/> in <paramref name="message"/>, or null.</summary>
    public static string? Value(string message, string key) =>
        message.Split('\n').FirstOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];

    /// <summary>Waits for the first message at index <paramref name="from"/> or later that matches; returns its index.</summary>
    public async Task<int> WaitForAsync(Func<string, bool> match, int from, TimeSpan deadline, string because, CancellationToken cancellationToken)
    {
        var found = -1;
        await Eventually.TrueAsync(
            () =>
            {
                var messages = Messages;
                for (var i = from; i < messages.Count; i++)
                {
                    if (match(messages[i]))
                    {
                        found = i;
                        return true;
                    }
                }

                return false;
            },
            deadline,
            $"{because}; received:\n{Describe()}",
            cancellationToken);
        return found;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _receiving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[8192];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var received = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                lock (_messages)
                    _messages.Add(Encoding.UTF8.GetString(buffer, 0, received));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }
}
