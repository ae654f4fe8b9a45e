using System.Globalization;
using System.Text.RegularExpressions;

namespace Launcher.Tests.Support;

/// <summary>
/// One scrape of a launcher's /metrics, parsed: every sample line (<c>name{labels} value</c>) by its series text.
/// <see cref="AddressOf"/> reads the listener's bound address from the launcher's log line.
/// </summary>
internal sealed partial class MetricsScrape
{
    private readonly Dictionary<string, double> _samples;

    private MetricsScrape(string text, Dictionary<string, double> samples)
    {
        Text = text;
        _samples = samples;
    }

    public string Text { get; }

    /// <summary>The value of one series, e.g. <c>launcher_restarts_total{reason="crashed"}</c>; null when absent.</summary>
    public double? this[string series] => _samples.TryGetValue(series, out var value) ? value : null;

    /// <summary>Series names (with labels) that start with <paramref name="prefix"/>.</summary>
    public IReadOnlyList<string> SeriesStartingWith(string prefix) => _samples.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();

    public static async Task<MetricsScrape> FromAsync(HttpClient client, string baseAddress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var text = await client.GetStringAsync(new Uri(baseAddress + "/metrics"), cancellationToken);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var space = line.LastIndexOf(' ');
            samples[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        return new MetricsScrape(text, samples);
    }

    /// <summary>http://address:port from the launcher's "Metrics at http://.../metrics" log line.</summary>
    public static async Task<string> AddressOfAsync(LauncherRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var line = await run.WaitForLineAsync("Metrics at http://", cancellationToken);
        return Listening().Match(line).Groups["base"].Value;
    }

    [GeneratedRegex(@"Metrics at (?<base>http://\S+)/metrics")]
    private static partial Regex Listening();
}
