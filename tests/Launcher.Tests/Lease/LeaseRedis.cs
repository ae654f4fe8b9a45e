using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests.Lease;

/// <summary>
/// A private in-memory <c>redis-server</c> on a fixed loopback port that the test can kill and start again on the
/// same port (a restart loses every key, as a Redis without persistence does), optionally with a password.
/// Tracked by the sandbox, so it is killed by pid even when the test fails.
/// </summary>
internal sealed class LeaseRedis : IAsyncDisposable
{
    private readonly Sandbox _sandbox;
    private readonly string? _password;
    private Process? _process;

    private LeaseRedis(Sandbox sandbox, int port, string? password)
    {
        _sandbox = sandbox;
        Port = port;
        _password = password;
    }

    public int Port { get; }

    public string Url => _password is null ? $"redis://127.0.0.1:{Port}" : $"redis://:{_password}@127.0.0.1:{Port}";

    public static async Task<LeaseRedis> StartAsync(Sandbox sandbox, string? password = null, CancellationToken cancellationToken = default)
    {
        RedisServer.SkipUnlessAvailable();
        var redis = new LeaseRedis(sandbox, FreePort(), password);
        await redis.StartAgainAsync(cancellationToken);
        return redis;
    }

    /// <summary>Starts the server (again) on the same port and waits until it answers.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo(RedisServer.Executable!)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            WorkingDirectory = _sandbox.Dir,
        };
        string[] args = ["--port", $"{Port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"];
        foreach (var arg in args)
            startInfo.ArgumentList.Add(arg);
        if (_password is not null)
        {
            startInfo.ArgumentList.Add("--requirepass");
            startInfo.ArgumentList.Add(_password);
        }

        _process = Process.Start(startInfo)!;
        _sandbox.Processes.Track(_process.Id);
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        await Eventually.TrueAsync(() => Answers(), TimeSpan.FromSeconds(15), $"redis-server on port {Port} answers", cancellationToken);
    }

    /// <summary>SIGKILLs the server and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is null)
            return;
        _ = NativeMethods.Kill(_process.Id, Signals.SIGKILL);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
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
}
