using Launcher.Platform;

namespace Launcher.Kill;

/// <summary>
/// Ends whole process trees: SIGTERM (plus SIGCONT, so a stopped process can act on it) to every member,
/// up to the grace period for them to exit, then SIGKILL to survivors and to anything they forked meanwhile,
/// then verifies each identity is gone. Every signal is identity-checked immediately before it is sent. Time comes
/// from the injected <see cref="TimeProvider"/> only, so the grace period and the verification wait are testable.
/// </summary>
internal sealed class TreeKiller(IProcessTable processes, ISignalSender signals, TimeProvider time)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan KillVerifyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Kills several trees at once (they share one grace period); one result per tree, in input order.</summary>
    public async Task<IReadOnlyList<KillResult>> KillAsync(
        IReadOnlyList<(string Name, IReadOnlyList<ProcessInfo> Members)> trees,
        TimeSpan grace,
        CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var protectedPids = KillSafety.ProtectedPids(processes.Snapshot());
        var targets = trees
            .Select(t => new TreeState(t.Name, t.Members.Where(p => KillSafety.MayKill(p, processes.CurrentUserId, protectedPids)).Select(p => p.Identity).ToHashSet()))
            .ToList();

        foreach (var identity in targets.SelectMany(t => t.Members))
        {
            signals.Send(identity, Signal.Terminate);
            signals.Send(identity, Signal.Continue);
        }

        await WaitUntilGoneAsync(targets, grace, started, cancellationToken);

        var stubborn = targets.Where(t => t.Alive(processes).Any()).ToList();
        if (stubborn.Count > 0)
        {
            // Survivors may have forked during the grace period: their new children die with them.
            var childrenOf = processes.Snapshot().ToLookup(p => p.ParentPid);
            foreach (var tree in stubborn)
            {
                tree.UsedKill = true;
                foreach (var child in ProcessTree.Descendants(childrenOf, tree.Alive(processes).Select(i => i.Pid)))
                {
                    if (KillSafety.MayKill(child, processes.CurrentUserId, protectedPids))
                        tree.Members.Add(child.Identity);
                }

                foreach (var identity in tree.Alive(processes))
                    signals.Send(identity, Signal.Kill);
            }

            await WaitUntilGoneAsync(stubborn, KillVerifyTimeout, started, cancellationToken);
        }

        return targets
            .Select(t => new KillResult(t.Name, t.Members.Count, t.UsedKill ? "SIGKILL" : "SIGTERM", t.EndedAfter ?? time.GetElapsedTime(started), t.Alive(processes).Count()))
            .ToList();
    }

    private async Task WaitUntilGoneAsync(List<TreeState> trees, TimeSpan timeout, long started, CancellationToken cancellationToken)
    {
        var waitStarted = time.GetTimestamp();
        while (true)
        {
            foreach (var tree in trees.Where(t => t.EndedAfter is null && !t.Alive(processes).Any()))
                tree.EndedAfter = time.GetElapsedTime(started);
            if (trees.All(t => t.EndedAfter is not null) || time.GetElapsedTime(waitStarted) >= timeout)
                return;
            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    private sealed class TreeState(string name, HashSet<ProcessIdentity> members)
    {
        public string Name { get; } = name;
        public HashSet<ProcessIdentity> Members { get; } = members;
        public bool UsedKill { get; set; }
        public TimeSpan? EndedAfter { get; set; }

        public IEnumerable<ProcessIdentity> Alive(IProcessTable processes) => Members.Where(processes.IsAlive);
    }
}
