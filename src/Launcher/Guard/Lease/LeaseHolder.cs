using System.Globalization;
using System.Text.Json;

namespace Launcher.Guard.Lease;

/// <summary>The holder as stored in the lease value <c>&lt;fence&gt;\n&lt;party json&gt;</c>.</summary>
internal sealed record LeaseHolder(LeaseParty Party, long Fence)
{
    /// <summary>The placeholder value of a lease quarantined after Redis lost its data.</summary>
    public const string Quarantine = "quarantine";

    public string Describe() => $"{Party.Describe()}, fence {Fence}";

    /// <summary>Null for the quarantine placeholder or a value this launcher cannot read.</summary>
    public static LeaseHolder? TryParse(string? value)
    {
        if (value is null)
            return null;
        var newline = value.IndexOf('\n', StringComparison.Ordinal);
        if (newline <= 0 || !long.TryParse(value.AsSpan(0, newline), NumberStyles.None, CultureInfo.InvariantCulture, out var fence))
            return null;
        try
        {
            var party = JsonSerializer.Deserialize(value.AsSpan(newline + 1), LeaseJson.Default.LeaseParty);
            return party is null ? null : new LeaseHolder(party, fence);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
