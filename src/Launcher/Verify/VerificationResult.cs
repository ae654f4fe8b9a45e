namespace Launcher.Verify;

/// <summary>The outcome of a verification round: who answered, who did not, and who should not be there.</summary>
internal sealed record VerificationResult(
    bool Success,
    int Expected,
    IReadOnlyList<string> Answered,
    IReadOnlyList<string> Silent,
    IReadOnlyList<string> Unexpected,
    string? Reason)
{
    public string Describe()
    {
        var parts = new List<string> { $"expected {Expected} worker(s), {Answered.Count} answered" };
        if (Reason is not null)
            parts.Add(Reason);
        if (Answered.Count > 0)
            parts.Add("answered: " + string.Join(", ", Answered));
        if (Silent.Count > 0)
            parts.Add("not answering: " + string.Join(", ", Silent));
        if (Unexpected.Count > 0)
            parts.Add("not started by this launcher: " + string.Join(", ", Unexpected));
        return string.Join("; ", parts);
    }
}
