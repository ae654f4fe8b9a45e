using System.Text.Json.Serialization;

namespace Launcher.Guard.Lease;

/// <summary>
/// A launcher taking part in the lease: a holder or a standby. <see cref="Token"/> is random per launcher, so
/// two launchers (or one launcher's two acquisitions) never write the same lease value.
/// </summary>
internal sealed record LeaseParty(
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("since")] DateTimeOffset Since,
    [property: JsonPropertyName("token")] string Token)
{
    public string Describe() => $"host {Host}, pid {Pid}, since {Since.ToLocalTime():yyyy-MM-dd HH:mm:ss}";
}
