using System.Net;
using System.Net.Sockets;
using System.Text;
using Launcher.Observe;
using Launcher.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>
/// Issue 13 parts 3 and 4: the listener in process, on 127.0.0.1 port 0. It answers GET/HEAD of its three paths,
/// refuses everything else in one status line, and its bounds hold: a huge request head, a foreign Host name
/// (DNS rebinding), more idle connections than allowed.
/// </summary>
[TestFixture]
public sealed class ObserveServerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(30_000)]
    public async Task It_serves_metrics_the_page_and_status_json_and_404_elsewhere(CancellationToken cancellationToken)
    {
        // Arrange
        await using var server = Start(out var metrics);
        using var _ = metrics;
        using var client = new HttpClient();
        var at = $"http://{server.Bound}";

        // Act
        var scrape = await client.GetAsync(new Uri(at + "/metrics"), cancellationToken);
        var page = await client.GetStringAsync(new Uri(at + "/"), cancellationToken);
        var status = await client.GetStringAsync(new Uri(at + "/status.json?x=1"), cancellationToken);
        var missing = await client.GetAsync(new Uri(at + "/nothing-here"), cancellationToken);

        // Assert
        var text = await scrape.Content.ReadAsStringAsync(cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(scrape.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(scrape.Content.Headers.ContentType?.ToString(), Does.StartWith("text/plain; version=0.0.4"));
            Assert.That(text, Does.Contain("launcher_workers_expected 3").And.Contain("launcher_info{instance=\"unit\"} 1"));
            Assert.That(page, Does.StartWith("<!doctype html>").And.Contain("status.json"));
            Assert.That(page, Does.Not.Contain("http://").And.Not.Contain("https://"), "self-contained: no CDN, no external font");
            Assert.That(status, Is.EqualTo("{\"instance\":\"unit\"}"));
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [TestCase("POST /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "405")]
    [TestCase("GET /metrics HTTP/1.1\r\nHost: rebound.example:9464\r\n\r\n", "403")]
    [TestCase("GET /metrics HTTP/1.1\r\n\r\n", "403")]
    [TestCase("HELLO\r\n\r\n", "400")]
    [TestCase("GET /metrics HTTP/1.1\r\nHost: localhost:9464\r\n\r\n", "200")]
    [TestCase("GET /metrics HTTP/1.1\r\nHost: [::1]:9464\r\n\r\n", "200")]
    [CancelAfter(30_000)]
    public async Task A_request_gets_one_status_line(string request, string status, CancellationToken cancellationToken)
    {
        // Arrange
        await using var server = Start(out var metrics);
        using var _ = metrics;

        // Act
        var answer = await SendRawAsync(server.Bound, Encoding.ASCII.GetBytes(request), cancellationToken);

        // Assert
        Assert.That(answer, Does.StartWith($"HTTP/1.1 {status} "), answer);
    }

    [Test, CancelAfter(30_000)]
    public async Task A_request_head_over_8_KiB_gets_431_without_being_read_further(CancellationToken cancellationToken)
    {
        // Arrange
        await using var server = Start(out var metrics);
        using var _ = metrics;
        var huge = Encoding.ASCII.GetBytes("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + new string('a', 20_000) + "\r\n\r\n");

        // Act
        var answer = await SendRawAsync(server.Bound, huge, cancellationToken);

        // Assert
        Assert.That(answer, Does.StartWith("HTTP/1.1 431 "), answer);
    }

    [Test, CancelAfter(60_000)]
    public async Task Connections_beyond_the_bound_are_closed_at_once_and_scrapes_work_again_once_they_go(CancellationToken cancellationToken)
    {
        // Arrange: every allowed connection held open, sending nothing.
        await using var server = Start(out var metrics);
        using var _ = metrics;
        var idle = new List<Socket>();
        try
        {
            for (var i = 0; i < ObserveServer.MaxConnections; i++)
                idle.Add(await ConnectAsync(server.Bound, cancellationToken));

            // Act: the kernel queues accepts in order, so this one comes after every idle one.
            using var over = await ConnectAsync(server.Bound, cancellationToken);
            var closed = await ReadToEndAsync(over, cancellationToken);

            // Assert: no answer, closed; after the idle ones go, a scrape is answered again.
            Assert.That(closed, Is.Empty, "closed without an answer");
            foreach (var socket in idle)
                socket.Dispose();
            idle.Clear();
            using var client = new HttpClient();
            string? text = null;
            await Eventually.TrueAsync(
                async () =>
                {
                    try
                    {
                        text = await client.GetStringAsync(new Uri($"http://{server.Bound}/metrics"), cancellationToken);
                        return true;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                },
                Deadline, "a scrape is answered once the idle connections are gone", cancellationToken);
            Assert.That(text, Does.Contain("launcher_workers_expected"));
        }
        finally
        {
            foreach (var socket in idle)
                socket.Dispose();
        }
    }

    private static ObserveServer Start(out LauncherMetrics metrics)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-29T21:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var board = new RunBoard("unit", 3, 5, TimeSpan.FromSeconds(120), time);
        metrics = new LauncherMetrics(board, time);
        var site = new StatusSite(metrics, _ => Task.FromResult("{\"instance\":\"unit\"}"));
        return ObserveServer.Start(new ListenAddress(IPAddress.Loopback, 0), site, NullLogger.Instance);
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint at, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(at, cancellationToken);
        return socket;
    }

    private static async Task<string> SendRawAsync(IPEndPoint at, byte[] request, CancellationToken cancellationToken)
    {
        using var socket = await ConnectAsync(at, cancellationToken);
        try
        {
            await socket.SendAsync(request, SocketFlags.None, cancellationToken);
        }
        catch (SocketException)
        {
            // The server may answer and close before a huge request is sent whole.
        }

        return await ReadToEndAsync(socket, cancellationToken);
    }

    private static async Task<string> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        var answer = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
                answer.Write(buffer, 0, read);
        }
        catch (SocketException)
        {
            // A reset after the answer (the server closed with unread request bytes) ends the answer too.
        }

        return Encoding.ASCII.GetString(answer.ToArray());
    }
}
