using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NUnit.Framework;

namespace Launcher.Tests.Support;

/// <summary>
/// A real, private <c>redis-server</c> on 127.0.0.1 and a free port, in memory only (no RDB, no AOF), for RQ and
/// Celery peers and the Redis lease, optionally with a password. Ready once it answers; it can be SIGKILLed and
/// started again on the same port (a restart loses every key, as a Redis without persistence does). Disposing
/// SIGKILLs it by pid and waits until it is gone.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(15);
    private static readonly Lazy<string?> LazyExecutable = new(FindExecutable);

    private readonly Sandbox? _sandbox;
    private readonly string? _password;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    private RedisServer(Sandbox? sandbox, int port, string? password)
    {
        _sandbox = sandbox;
        _password = password;
        Port = port;
    }

    /// <summary>The <c>redis-server</c> executable on PATH (or /usr/bin, /usr/sbin), or null when not installed.</summary>
    public static string? Executable => LazyExecutable.Value;

    /// <summary>True when <c>redis-server</c> is installed.</summary>
    public static bool IsAvailable => Executable is not null;

    /// <summary>The TCP port it listens on (127.0.0.1 only).</summary>
    public int Port { get; }

    /// <summary>The server's pid (0 while it is killed).</summary>
    public int Pid => _process?.Id ?? 0;

    /// <summary><c>redis://[:password@]127.0.0.1:&lt;port&gt;</c>, as RQ, Celery and the launcher take it.</summary>
    public string Url => _password is null ? $"redis://127.0.0.1:{Port}" : $"redis://:{_password}@127.0.0.1:{Port}";

    /// <summary>What the server printed so far (its log).</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Marks the test ignored when <c>redis-server</c> is not installed.</summary>
    public static void SkipUnlessAvailable()
    {
        if (!IsAvailable)
            Assert.Ignore("redis-server not installed: run scripts/install-test-deps.sh as root");
    }

    /// <summary>
    /// Starts a server on a free port and returns once it answers (a port taken between probing and binding is
    /// retried on another). Tracked by <paramref name="sandbox"/> when given, so the sandbox kills it too.
    /// </summary>
    public static Task<RedisServer> StartAsync(Sandbox? sandbox = null, CancellationToken cancellationToken = default) =>
        StartAsync(sandbox, password: null, cancellationToken);

    /// <summary>As <see cref="StartAsync(Sandbox?, CancellationToken)"/>, with <c>requirepass</c> set when <paramref name="password"/> is given.</summary>
    public static async Task<RedisServer> StartAsync(Sandbox? sandbox, string? password, CancellationToken cancellationToken = default)
    {
        if (!IsAvailable)
            throw new InvalidOperationException("redis-server not installed: run scripts/install-test-deps.sh as root");
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServer(sandbox, FreePort(), password);
            if (await server.TryStartAsync(cancellationToken))
                return server;
            if (attempt == 3 || !server.Output.Contains("Address already in use", StringComparison.Ordinal))
                throw new InvalidOperationException($"redis-server on port {server.Port} exited before answering. Output:\n{server.Output}");
        }
    }

    /// <summary>Starts the server again on the same port after <see cref="KillAsync"/>; returns once it answers.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        if (!await TryStartAsync(cancellationToken))
            throw new InvalidOperationException($"redis-server on port {Port} exited before answering. Output:\n{Output}");
    }

    /// <summary>SIGKILLs the server and waits (bounded) until it has exited; <see cref="StartAgainAsync"/> brings it back.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process)
            return;
        _process = null;
        if (!process.HasExited)
        {
            _ = NativeMethods.Kill(process.Id, Signals.SIGKILL);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                TestContext.Progress.WriteLine($"redis-server (pid {process.Id}) survived SIGKILL for 10 s");
            }
        }

        process.Dispose();
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    /// <summary>Sends an inline PING over raw TCP; true on <c>+PONG</c> (a password-protected server answers <c>-NOAUTH</c>).</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken = default) =>
        (await ReplyToPingAsync(cancellationToken))?.StartsWith("+PONG", StringComparison.Ordinal) == true;

    // Ready means it answers at all: with requirepass the reply to an unauthenticated PING is -NOAUTH.
    private async Task<bool> AnswersAsync(CancellationToken cancellationToken) =>
        (await ReplyToPingAsync(cancellationToken)) is ['+' or '-', ..];

    private async Task<string?> ReplyToPingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);

            var reply = new StringBuilder();
            var buffer = new byte[64];
            while (!reply.ToString().Contains('\n', StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                    break;
                reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return reply.ToString();
        }
        catch (Exception ex) when (ex is SocketException or IOException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    // False when the server exited before answering (its output says why, e.g. the port was taken).
    private async Task<bool> TryStartAsync(CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(Executable!)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _sandbox?.Dir ?? Path.GetTempPath(),
        };
        foreach (var arg in (string[])["--port", $"{Port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"])
            startInfo.ArgumentList.Add(arg);
        if (_password is not null)
        {
            startInfo.ArgumentList.Add("--requirepass");
            startInfo.ArgumentList.Add(_password);
        }

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Capture(_output, e.Data);
        process.ErrorDataReceived += (_, e) => Capture(_output, e.Data);
        process.Start();
        _process = process;
        _sandbox?.Processes.Track(process.Id);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            if (await WaitUntilReadyAsync(process, cancellationToken))
                return true;
        }
        catch
        {
            await KillAsync();
            throw;
        }

        await KillAsync();
        return false;
    }

    private async Task<bool> WaitUntilReadyAsync(Process process, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + StartDeadline;
        while (DateTime.UtcNow < until)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(cancellationToken); // drains its output, for the error message
                return false;
            }

            if (await AnswersAsync(cancellationToken))
                return true;

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"redis-server on port {Port} did not answer within {StartDeadline.TotalSeconds} s. Output:\n{Output}");
    }

    private static void Capture(ConcurrentQueue<string> output, string? line)
    {
        if (line is not null)
            output.Enqueue(line);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static string? FindExecutable()
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/sbin", "/usr/local/bin"]);
        return directories
            .Select(directory => Path.Combine(directory, "redis-server"))
            .FirstOrDefault(File.Exists);
    }
}
