using System.Net.Sockets;
using Launcher.Exceptions;
using StackExchange.Redis;

namespace Launcher.Guard.Lease;

/// <summary>
/// Opens the connection to the lease's Redis and turns every way that can fail into one line before anything
/// starts: a refused password is a config error (exit 2), an unreachable server means the lease cannot be taken
/// (exit 3). Messages name the server without credentials; StackExchange.Redis gets no log writer, so it cannot
/// print the password either.
/// </summary>
internal static class RedisConnection
{
    public const string UrlKey = CoordinationSpec.UrlKey;

    public static async Task<ConnectionMultiplexer> ConnectAsync(RedisTarget target, LeaseTiming timing, string instance, CancellationToken cancellationToken)
    {
        var clientName = $"launcher-{instance}-{Environment.ProcessId}";
        ConnectionMultiplexer? redis = null;
        try
        {
            redis = await ConnectionMultiplexer.ConnectAsync(target.ToOptions(LeaseTiming.ConnectTimeout, timing.CommandTimeout, clientName))
                .WaitAsync(LeaseTiming.ConnectTimeout * 2, cancellationToken);
            // The handshake succeeds without AUTH on a server that wants a password: one command proves we may talk.
            await redis.GetDatabase().PingAsync().WaitAsync(timing.CommandTimeout * 2, cancellationToken);
            return redis;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or SocketException)
        {
            if (redis is not null)
                await redis.DisposeAsync();
            throw Describe(ex, target, instance);
        }
    }

    /// <summary>True when Redis refused our credentials (or wants some).</summary>
    public static bool IsAuthenticationFailure(Exception ex) =>
        ex is RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure }
        || (ex is RedisServerException server && (server.Message.StartsWith("NOAUTH", StringComparison.Ordinal) || server.Message.StartsWith("WRONGPASS", StringComparison.Ordinal)))
        || (ex.InnerException is { } inner && IsAuthenticationFailure(inner));

    /// <summary>A short reason without configuration strings: the socket error or the failure type.</summary>
    public static string Reason(Exception ex) => ex switch
    {
        _ when FindSocketError(ex) is { } socket => socket.Message,
        RedisConnectionException connection => connection.FailureType switch
        {
            ConnectionFailureType.UnableToConnect or ConnectionFailureType.UnableToResolvePhysicalConnection => "cannot connect",
            ConnectionFailureType.SocketFailure or ConnectionFailureType.SocketClosed => "connection lost",
            var other => other.ToString(),
        },
        RedisTimeoutException or TimeoutException => "no answer in time",
        RedisServerException server => server.Message.Split(' ', 2)[0],
        _ => ex.GetType().Name,
    };

    private static LauncherException Describe(Exception ex, RedisTarget target, string instance)
    {
        if (IsAuthenticationFailure(ex))
        {
            var hint = target.Password is null
                ? $"it wants a password: put it in the URL or in {LeaseEnvironment.RedisPassword}"
                : $"check the user and password in the URL or {LeaseEnvironment.RedisPassword}";
            return new ConfigException(UrlKey, $"Redis at {target.Display} refused the credentials ({Reason(ex)}); {hint}", ex);
        }

        return LeaseUnavailableException.Unreachable(instance, target.Display, Reason(ex));
    }

    private static SocketException? FindSocketError(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException socket)
                return socket;
        }

        return null;
    }
}
