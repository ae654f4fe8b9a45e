namespace Launcher.Census;

/// <summary>
/// One census judged against our workers (<see cref="CensusClassifier"/>): which of our nodes it lists, which it
/// misses, and the other nodes in scope, split into stale registrations (dead workers of this host that nobody
/// reported) and foreign consumers (alive, or not provably dead, and not ours).
/// </summary>
internal sealed record CensusVerdict(
    IReadOnlyList<CensusEntry> Ours,
    IReadOnlyList<string> Missing,
    IReadOnlyList<CensusEntry> Stale,
    IReadOnlyList<CensusEntry> Foreign,
    int OutOfScope)
{
    /// <summary>The census shows exactly our workers within its scope: verification may succeed.</summary>
    public bool ExactlyOurs => Missing.Count == 0 && Stale.Count == 0 && Foreign.Count == 0;

    /// <summary>One line for logs and exit messages.</summary>
    public string Describe()
    {
        var parts = new List<string> { $"{Ours.Count} of ours listed" };
        if (Missing.Count > 0)
            parts.Add("not listed: " + string.Join(", ", Missing));
        if (Stale.Count > 0)
            parts.Add("stale (no live process): " + string.Join(", ", Stale.Select(e => e.Describe())));
        if (Foreign.Count > 0)
            parts.Add("foreign: " + string.Join(", ", Foreign.Select(e => e.Describe())));
        if (OutOfScope > 0)
            parts.Add($"{OutOfScope} node(s) of other hosts not judged (census.scope: host)");
        return string.Join("; ", parts);
    }
}
