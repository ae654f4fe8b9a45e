using Launcher.Strays;

namespace Launcher.Census;

/// <summary>
/// Whether a foreign consumer may be stopped: the worker unit to stop (its whole tree), or why it may not, in words
/// for the exit message and the log.
/// </summary>
internal sealed record ForeignJudgement(CensusEntry Entry, WorkerUnit? Stray, string? WhyNot)
{
    public bool MayStop => Stray is not null;

    public string Describe() => MayStop ? Entry.Describe() : $"{Entry.Describe()}: {WhyNot}";
}
