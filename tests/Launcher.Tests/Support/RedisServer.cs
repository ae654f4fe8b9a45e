using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NUnit.Framework;

namespace Launcher.Tests.Support;

/// <summary>
/// A real, private <c>redis-server</c> on 127.0.0.1 and a free port, in memory only (no RDB, no AOF), for RQ and
/// Celery peers. Ready once it answers PING; disposing SIGKILLs it by pid and waits until it is gone.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(15);
    private static readonly Lazy<string?> LazyExecutable = new(FindExecutable);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;
    private bool _disposed;

    private RedisServer(Process process, int port, ConcurrentQueue<string> output)
    {
        _process = process;
        _output = output;
        Port = port;
        Pid = process.Id;
    }

    /// <summary>The <c>redis-server</c> executable on PATH (or /usr/bin, /usr/sbin), or null when not installed.</summary>
    public static string? Executable => LazyExecutable.Value;

    /// <summary>True when <c>redis-server</c> is installed.</summary>
    public static bool IsAvailable => Executable is not null;

    /// <summary>The TCP port it listens on (127.0.0.1 only).</summary>
    public int Port { get; }

    /// <summary>The server's pid.</summary>
    public int Pid { get; }

    /// <summary><c>redis://127.0.0.1:&lt;port&gt;</c>, as RQ and Celery take it.</summary>
    public string Url => $"redis://127.0.0.1:{Port}";

    /// <summary>What the server printed so far (its log).</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Marks the test ignored when <c>redis-server</c> is not installed.</summary>
    public static void SkipUnlessAvailable()
    {
        if (!IsAvailable)
            Assert.Ignore("redis-server not installed: run scripts/install-test-deps.sh as root");
    }

    /// <summary>
    /// Starts a server on a free port and returns once it answers PING (a port taken between probing and binding
    /// is retried on another). Tracked by <paramref name="sandbox"/> when given, so the sandbox kills it too.
    /// </summary>
    public static async Task<RedisServer> StartAsync(Sandbox? sandbox = null, CancellationToken cancellationToken = default)
    {
        var executable = Executable ?? throw new InvalidOperationException("redis-server not installed: run scripts/install-test-deps.sh as root");
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var output = new ConcurrentQueue<string>();
            var startInfo = new ProcessStartInfo(executable)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = sandbox?.Dir ?? Path.GetTempPath(),
            };
            foreach (var arg in (string[])["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"])
                startInfo.ArgumentList.Add(arg);

            var process = new Process { StartInfo = startInfo };
            process.OutputDataReceived += (_, e) => Capture(output, e.Data);
            process.ErrorDataReceived += (_, e) => Capture(output, e.Data);
            process.Start();
            sandbox?.Processes.Track(process.Id);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var server = new RedisServer(process, port, output);
            try
            {
                if (await server.WaitUntilReadyAsync(cancellationToken))
                    return server;
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }

            await server.DisposeAsync();
            if (attempt == 3 || !server.Output.Contains("Address already in use", StringComparison.Ordinal))
                throw new InvalidOperationException($"redis-server on port {port} exited before answering PING. Output:\n{server.Output}");
        }
    }

    /// <summary>Sends an inline PING over raw TCP; true on <c>+PONG</c>.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
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

            return reply.ToString().StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>SIGKILLs the server and waits (bounded) until it has exited.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;

        if (!_process.HasExited)
        {
            _ = NativeMethods.Kill(Pid, Signals.SIGKILL);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                TestContext.Progress.WriteLine($"redis-server (pid {Pid}) survived SIGKILL for 10 s");
            }
        }

        _process.Dispose();
    }

    private async Task<bool> WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + StartDeadline;
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken); // drains its output, for the error message
                return false;
            }

            if (await PingAsync(cancellationToken))
                return true;

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"redis-server on port {Port} did not answer PING within {StartDeadline.TotalSeconds} s. Output:\n{Output}");
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
