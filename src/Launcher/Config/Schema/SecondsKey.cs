using System.Globalization;
using System.Text.Json;
using Launcher.Exceptions;

namespace Launcher.Config.Schema;

/// <summary>
/// A duration in seconds (any JSON number) from 0.01 (or the key's own <c>minimum</c>, e.g. 0 for a restart delay)
/// to 86400, read as a <see cref="TimeSpan"/>.
/// </summary>
internal sealed class SecondsKey(string path, double defaultSeconds, double minimum = SecondsKey.Minimum) : ConfigKey<TimeSpan>(path, TimeSpan.FromSeconds(defaultSeconds))
{
    // 0.01 s at least: a tinier value rounds to TimeSpan.Zero, which timers reject only after strays were killed.
    public const double Minimum = 0.01;

    public const double Maximum = 86_400;

    public override object Read(JsonElement value, string at)
    {
        if (value.ValueKind != JsonValueKind.Number)
            throw JsonShape.Mismatch(at, value, "a number");
        var seconds = value.GetDouble();
        if (!(seconds >= minimum) || seconds > Maximum)
        {
            throw new ConfigException(
                at,
                $"must be a number of seconds from {minimum.ToString(CultureInfo.InvariantCulture)} to {Maximum.ToString(CultureInfo.InvariantCulture)} (got {seconds.ToString(CultureInfo.InvariantCulture)})");
        }

        return TimeSpan.FromSeconds(seconds);
    }
}
