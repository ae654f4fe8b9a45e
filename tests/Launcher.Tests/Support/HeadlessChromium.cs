using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Launcher.Tests.Support;

/// <summary>
/// Debian's <c>chromium</c>, headless, for the status page tests (installed by scripts/install-test-deps.sh; without
/// it the tests fail under CI and are ignored, saying why, elsewhere). <see cref="DumpDomAsync"/> is one
/// <c>--dump-dom</c> run; <see cref="OpenAsync"/> keeps one page running and reads its live DOM over the DevTools
/// protocol (<c>Runtime.evaluate</c>), so a test can watch the same document change without a reload.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Program = "/usr/bin/chromium";
    private static readonly string[] Common = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-crash-reporter", "--disable-breakpad"];
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ClientWebSocket _socket;
    private int _nextId;

    private HeadlessChromium(Process process, ClientWebSocket socket)
    {
        _process = process;
        _socket = socket;
    }

    /// <summary>Fails (CI) or ignores (elsewhere) the test when chromium is not installed.</summary>
    public static void Require()
    {
        if (File.Exists(Program))
            return;
        const string why = "chromium is not installed (scripts/install-test-deps.sh installs it: apt-get install -y chromium)";
        if (Environment.GetEnvironmentVariable("CI") == "true")
            Assert.Fail(why);
        Assert.Ignore(why);
    }

    /// <summary>Loads <paramref name="url"/>, lets its scripts run for <paramref name="budget"/> of virtual time, prints the DOM.</summary>
    public static async Task<string> DumpDomAsync(string url, string profile, TimeSpan budget, CancellationToken cancellationToken)
    {
        using var process = Start([.. Common, $"--user-data-dir={profile}", $"--virtual-time-budget={(int)budget.TotalMilliseconds}", "--dump-dom", url], redirect: true);
        try
        {
            var dom = process.StandardOutput.ReadToEndAsync(cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(StartDeadline);
            await process.WaitForExitAsync(deadline.Token);
            return await dom;
        }
        finally
        {
            Stop(process);
        }
    }

    /// <summary>Opens <paramref name="url"/> in a headless chromium that keeps running, with DevTools on a port it picks.</summary>
    public static async Task<HeadlessChromium> OpenAsync(string url, string profile, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(profile);
        var process = Start([.. Common, $"--user-data-dir={profile}", "--remote-debugging-port=0", url], redirect: false);
        try
        {
            // Chromium writes the port it bound (and the browser's path) to DevToolsActivePort in the profile.
            var portFile = Path.Combine(profile, "DevToolsActivePort");
            string? port = null;
            await Eventually.TrueAsync(() => (port = ReadPort(portFile)) is not null, StartDeadline, "chromium writes DevToolsActivePort", cancellationToken);
            using var http = new HttpClient();
            string? debugger = null;
            await Eventually.TrueAsync(
                async () =>
                {
                    var targets = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/json/list"), cancellationToken))!.AsArray();
                    debugger = targets.FirstOrDefault(t => (string?)t!["type"] == "page" && ((string?)t["url"] ?? "").StartsWith(url, StringComparison.Ordinal))?["webSocketDebuggerUrl"]?.GetValue<string>();
                    return debugger is not null;
                },
                StartDeadline, $"chromium lists the page {url}", cancellationToken);
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(debugger!), cancellationToken);
            return new HeadlessChromium(process, socket);
        }
        catch
        {
            Stop(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page and returns its value as a string (JSON.stringify it for objects).</summary>
    public async Task<string?> EvaluateAsync(string expression, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var request = new JsonObject
        {
            ["id"] = id,
            ["method"] = "Runtime.evaluate",
            ["params"] = new JsonObject { ["expression"] = expression, ["returnByValue"] = true },
        };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);
        while (true)
        {
            var message = JsonNode.Parse(await ReceiveAsync(cancellationToken))!;
            if ((int?)message["id"] != id)
                continue; // an event, or an older answer
            return message["result"]?["result"]?["value"]?.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }

        _socket.Dispose();
        Stop(_process);
        _process.Dispose();
    }

    private async Task<string> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer, cancellationToken);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(message.ToArray());
    }

    private static string? ReadPort(string path)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            return lines.Length >= 2 && int.TryParse(lines[0], out _) ? lines[0] : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static Process Start(IEnumerable<string> args, bool redirect)
    {
        var info = new ProcessStartInfo(Program) { RedirectStandardOutput = redirect, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { }; // drained: chromium is chatty on stderr
        process.BeginErrorReadLine();
        return process;
    }

    // Chromium's zygote and renderers are its descendants: kill the whole tree (by the pids /proc lists under it).
    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }
}
