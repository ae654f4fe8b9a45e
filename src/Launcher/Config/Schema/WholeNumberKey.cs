using System.Globalization;
using System.Text.Json;
using Launcher.Exceptions;

namespace Launcher.Config.Schema;

/// <summary>A whole number from <see cref="Minimum"/> to <see cref="Maximum"/>; a quoted number is refused.</summary>
internal sealed class WholeNumberKey(string path, long defaultValue, long minimum = 1, long maximum = int.MaxValue)
    : ConfigKey<long>(path, defaultValue)
{
    public long Minimum { get; } = minimum;

    public long Maximum { get; } = maximum;

    public override object Read(JsonElement value, string at)
    {
        if (value.ValueKind != JsonValueKind.Number)
            throw JsonShape.Mismatch(at, value, "a whole number");
        if (!value.TryGetInt64(out var number))
        {
            // 2.5 or 1e3: say what was written. A whole number beyond Int64 is simply out of range.
            throw value.TryGetDouble(out var real) && Math.Floor(real) == real
                ? OutOfRange(at, value.GetRawText())
                : JsonShape.Mismatch(at, value, "a whole number");
        }

        return number >= Minimum && number <= Maximum ? number : throw OutOfRange(at, number.ToString(CultureInfo.InvariantCulture));
    }

    private ConfigException OutOfRange(string at, string got) => Minimum == 1 && Maximum >= int.MaxValue
        ? new ConfigException(at, $"must be a positive whole number (got {got})")
        : new ConfigException(at, $"must be a whole number from {Minimum.ToString(CultureInfo.InvariantCulture)} to {Maximum.ToString(CultureInfo.InvariantCulture)} (got {got})");
}
