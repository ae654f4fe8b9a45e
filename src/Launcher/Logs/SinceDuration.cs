using System.Globalization;
using System.Text.RegularExpressions;

namespace Launcher.Logs;

/// <summary>
/// `--since` values as journalctl and docker accept them: one or more number-unit pairs, <c>90s</c>, <c>10m</c>,
/// <c>1h30m</c>, <c>2d</c>.
/// </summary>
internal static partial class SinceDuration
{
    /// <summary>The duration, or null (with a reason) when <paramref name="text"/> is not one.</summary>
    public static TimeSpan? TryParse(string text, out string? problem)
    {
        problem = null;
        var match = Pattern().Match(text);
        if (!match.Success)
        {
            problem = $"--since '{text}' is not a duration: use a number and a unit, s, m, h or d (90s, 10m, 1h30m)";
            return null;
        }

        var seconds = 0.0;
        var parts = match.Groups["part"].Captures;
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i].Value;
            var amount = double.Parse(part.AsSpan(0, part.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            seconds += amount * part[^1] switch
            {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                _ => 86400,
            };
            if (seconds > TimeSpan.FromDays(36500).TotalSeconds)
            {
                problem = $"--since '{text}' is longer than a century";
                return null;
            }
        }

        return TimeSpan.FromSeconds(seconds);
    }

    [GeneratedRegex(@"^(?<part>[0-9]{1,9}(?:\.[0-9]{1,6})?[smhd])+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
