using System.Globalization;
using System.Text.Json.Serialization;

namespace Launcher.Census;

/// <summary>
/// What the census saw last, as the running launcher publishes it (status file, `launcher status`): when, whether it
/// could be read, our nodes it listed and missed, foreign and stale nodes in scope, and the lost registrations the
/// start cleaned with <c>onWorkerExit</c>.
/// </summary>
internal sealed record CensusStatus(
    [property: JsonPropertyName("at")] DateTimeOffset? At,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("failure")] string? Failure,
    [property: JsonPropertyName("ours")] IReadOnlyList<string> Ours,
    [property: JsonPropertyName("missing")] IReadOnlyList<string> Missing,
    [property: JsonPropertyName("foreign")] IReadOnlyList<CensusNodeStatus> Foreign,
    [property: JsonPropertyName("stale")] IReadOnlyList<CensusNodeStatus> Stale,
    [property: JsonPropertyName("outOfScope")] int OutOfScope,
    [property: JsonPropertyName("lostAtStart")] IReadOnlyList<CensusNodeStatus> LostAtStart,
    [property: JsonPropertyName("foreignStopped")] IReadOnlyList<CensusNodeStatus> ForeignStopped)
{
    /// <summary>Lines for the human `launcher status`.</summary>
    public IEnumerable<string> Describe(DateTimeOffset now)
    {
        if (At is not { } at)
        {
            yield return $"census     not run yet (scope {Scope})";
            yield break;
        }

        var age = (long)Math.Max(0, (now - at).TotalSeconds);
        var when = $"{age.ToString(CultureInfo.InvariantCulture)}s ago";
        if (Failure is not null)
            yield return $"census     FAILED {when}: {Failure}";
        else
            yield return $"census     {when} (scope {Scope}): {Ours.Count} of ours, {Foreign.Count} foreign, {Stale.Count} stale{(OutOfScope > 0 ? $", {OutOfScope} on other hosts not judged" : "")}";
        if (Missing.Count > 0)
            yield return $"  not listed: {string.Join(", ", Missing)}";
        foreach (var foreign in Foreign)
            yield return $"  FOREIGN {foreign}";
        foreach (var stale in Stale)
            yield return $"  stale   {stale}";
        if (LostAtStart.Count > 0)
            yield return $"  lost at start (onWorkerExit ran): {string.Join(", ", LostAtStart.Select(n => n.Node))}";
        if (ForeignStopped.Count > 0)
            yield return $"  foreign stopped: {string.Join(", ", ForeignStopped.Select(n => n.Node))}";
    }
}
