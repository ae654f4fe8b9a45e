using System.Text.Json.Serialization;

namespace Launcher.Guard.Lease;

/// <summary>Who runs an instance across hosts, as <c>launcher status</c> shows it.</summary>
internal sealed record LeaseSnapshot(
    [property: JsonPropertyName("redis")] string Redis,
    [property: JsonPropertyName("reachable")] bool Reachable,
    [property: JsonPropertyName("problem")] string? Problem,
    [property: JsonPropertyName("holder")] LeaseHolderEntry? Holder,
    [property: JsonPropertyName("quarantinedForSeconds")] double? QuarantinedForSeconds,
    [property: JsonPropertyName("standbys")] IReadOnlyList<LeaseStandbyEntry> Standbys)
{
    /// <summary>Plain lines for the status table's header.</summary>
    public IEnumerable<string> Describe()
    {
        if (!Reachable)
        {
            yield return $"lease      unknown: {Problem}";
            yield break;
        }

        if (Holder is { } holder)
            yield return $"lease      held by host {holder.Host}, pid {holder.Pid}, since {holder.Since.ToLocalTime():yyyy-MM-dd HH:mm:ss}, fence {holder.Fence} (expires in {holder.ExpiresInSeconds:F1} s unless renewed; {Redis})";
        else if (QuarantinedForSeconds is { } seconds)
            yield return $"lease      free in {seconds:F1} s: Redis had no record of it (first use or lost data), so nobody takes it for one TTL ({Redis})";
        else
            yield return $"lease      free: no launcher holds it ({Redis})";
        foreach (var standby in Standbys)
            yield return $"standby    host {standby.Host}, pid {standby.Pid}, since {standby.Since.ToLocalTime():yyyy-MM-dd HH:mm:ss}, seen {standby.SeenSecondsAgo:F1} s ago";
    }
}

internal sealed record LeaseHolderEntry(
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("since")] DateTimeOffset Since,
    [property: JsonPropertyName("fence")] long Fence,
    [property: JsonPropertyName("expiresInSeconds")] double ExpiresInSeconds);

internal sealed record LeaseStandbyEntry(
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("since")] DateTimeOffset Since,
    [property: JsonPropertyName("seenSecondsAgo")] double SeenSecondsAgo);
