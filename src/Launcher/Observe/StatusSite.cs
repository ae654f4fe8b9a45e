using System.Text;

namespace Launcher.Observe;

/// <summary>
/// What the listener serves: <c>/metrics</c> (<see cref="LauncherMetrics"/>), <c>/</c> (the status page, one
/// self-contained HTML file embedded in the binary) and <c>/status.json</c> (the document `launcher status --json`
/// prints, from <paramref name="statusJson"/>).
/// </summary>
internal sealed class StatusSite(LauncherMetrics metrics, Func<CancellationToken, Task<string>> statusJson)
{
    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(StatusSite).Assembly.GetManifestResourceStream("status-page.html")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public async Task<HttpAnswer> AnswerAsync(string path, CancellationToken cancellationToken)
    {
        switch (path)
        {
            case "/metrics":
                using (var body = new MemoryStream())
                {
                    await metrics.WriteAsync(body, cancellationToken);
                    return new HttpAnswer(200, LauncherMetrics.ContentType, body.ToArray());
                }

            case "/" or "/index.html":
                return new HttpAnswer(200, "text/html; charset=utf-8", Page.Value);
            case "/status.json":
                return new HttpAnswer(200, "application/json; charset=utf-8", Encoding.UTF8.GetBytes(await statusJson(cancellationToken)));
            default:
                return HttpAnswer.Text(404, "not found; try /, /status.json or /metrics");
        }
    }
}
