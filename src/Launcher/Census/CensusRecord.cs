namespace Launcher.Census;

/// <summary>
/// The last census of a run, for the status file: written by the census steps (start, verification, the periodic
/// census), read by the status publisher on another thread; the lock keeps each snapshot whole.
/// </summary>
internal sealed class CensusRecord(CensusSpec spec)
{
    private readonly Lock _gate = new();
    private readonly List<CensusNodeStatus> _lost = [];
    private readonly List<CensusNodeStatus> _stopped = [];
    private CensusStatus _last = Empty(spec);

    public void Saw(CensusVerdict verdict, DateTimeOffset at, IReadOnlyList<ForeignJudgement>? foreign = null)
    {
        lock (_gate)
        {
            _last = _last with
            {
                At = at,
                Failure = null,
                Ours = verdict.Ours.Select(e => e.Node).ToList(),
                Missing = verdict.Missing,
                Foreign = foreign?.Select(j => CensusNodeStatus.Of(j.Entry, j.WhyNot)).ToList() ?? verdict.Foreign.Select(e => CensusNodeStatus.Of(e)).ToList(),
                Stale = verdict.Stale.Select(e => CensusNodeStatus.Of(e)).ToList(),
                OutOfScope = verdict.OutOfScope,
            };
        }
    }

    public void Failed(string failure, DateTimeOffset at)
    {
        lock (_gate)
            _last = _last with { At = at, Failure = failure };
    }

    public void Lost(CensusEntry entry)
    {
        lock (_gate)
            _lost.Add(CensusNodeStatus.Of(entry));
    }

    public void Stopped(CensusEntry entry)
    {
        lock (_gate)
            _stopped.Add(CensusNodeStatus.Of(entry));
    }

    public CensusStatus Snapshot()
    {
        lock (_gate)
            return _last with { LostAtStart = [.. _lost], ForeignStopped = [.. _stopped] };
    }

    private static CensusStatus Empty(CensusSpec spec) => new(null, spec.ScopeName, null, [], [], [], [], 0, [], []);
}
