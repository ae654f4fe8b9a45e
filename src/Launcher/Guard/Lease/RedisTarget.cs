using System.Globalization;
using Launcher.Exceptions;
using StackExchange.Redis;

namespace Launcher.Guard.Lease;

/// <summary>
/// Where the lease lives: <c>redis://[user:password@]host[:port][/db]</c>, or <c>rediss://</c> for TLS. A class, not
/// a record, so that nothing (a log line, an exception, a debugger) can print the password through ToString:
/// <see cref="ToString"/> is <see cref="Display"/>, which never carries credentials.
/// </summary>
internal sealed class RedisTarget
{
    private const int DefaultPort = 6379;

    private RedisTarget(string host, int port, string? user, string? password, bool tls, int database)
    {
        Host = host;
        Port = port;
        User = user;
        Password = password;
        Tls = tls;
        Database = database;
    }

    public string Host { get; }

    public int Port { get; }

    public string? User { get; }

    /// <summary>From the URL, else <see cref="LeaseEnvironment.RedisPassword"/>; never logged or shown.</summary>
    public string? Password { get; }

    public bool Tls { get; }

    public int Database { get; }

    /// <summary>The URL without credentials, for messages: <c>redis://10.0.0.5:6379/0</c>.</summary>
    public string Display => $"{(Tls ? "rediss" : "redis")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}/{Database}";

    /// <summary>
    /// Parses <paramref name="url"/> (the value of <paramref name="key"/>). A password in the URL wins over
    /// <paramref name="passwordFromEnvironment"/>. Throws a <see cref="ConfigException"/> that never echoes the URL,
    /// because it may hold a password.
    /// </summary>
    public static RedisTarget Parse(string url, string key, string? passwordFromEnvironment)
    {
        const string Expected = "expected redis://[user:password@]host[:port][/db] or rediss://... for TLS";
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
            throw new ConfigException(key, $"is not a valid URL; {Expected}");
        var tls = uri.Scheme switch
        {
            "redis" => false,
            "rediss" => true,
            _ => throw new ConfigException(key, $"has the scheme '{uri.Scheme}'; {Expected}"),
        };
        if (string.IsNullOrEmpty(uri.Host))
            throw new ConfigException(key, $"names no host; {Expected}");
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            throw new ConfigException(key, $"has a query or fragment, which the launcher does not read; {Expected}");

        var database = 0;
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out database) || database > 15))
            throw new ConfigException(key, $"has the path '/{path}'; the path is the database number (0-15); {Expected}");

        string? user = null;
        string? password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            if (user.Length == 0)
                user = null;
        }

        if (string.IsNullOrEmpty(password))
            password = string.IsNullOrEmpty(passwordFromEnvironment) ? null : passwordFromEnvironment;
        var port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        return new RedisTarget(uri.IdnHost.Trim('[', ']'), port, user, password, tls, database);
    }

    /// <summary>StackExchange.Redis options: no retries of its own at connect (we report one clear line), and commands
    /// fail fast while disconnected instead of queueing (the lease has deadlines of its own).</summary>
    public ConfigurationOptions ToOptions(TimeSpan connectTimeout, TimeSpan commandTimeout, string clientName)
    {
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = true,
            ConnectRetry = 1,
            ConnectTimeout = (int)connectTimeout.TotalMilliseconds,
            SyncTimeout = (int)commandTimeout.TotalMilliseconds,
            AsyncTimeout = (int)commandTimeout.TotalMilliseconds,
            BacklogPolicy = BacklogPolicy.FailFast,
            DefaultDatabase = Database,
            User = User,
            Password = Password,
            Ssl = Tls,
            ClientName = clientName,
        };
        options.EndPoints.Add(Host, Port);
        if (Tls)
            options.SslHost = Host;
        return options;
    }

    public override string ToString() => Display;
}
