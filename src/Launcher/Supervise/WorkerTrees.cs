using Launcher.Kill;
using Launcher.Logging;
using Launcher.Platform;
using Launcher.Spawn;
using Launcher.Strays;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// The run's <see cref="ITreeStopper"/>: finds a worker's tree the way stray discovery does (its registration, its
/// node marker, its descendants) and ends it with the identity-checked <see cref="TreeKiller"/>.
/// </summary>
internal sealed class WorkerTrees(WorkerFinder finder, TreeKiller killer, IProcessTable processes, ChildRegistry children, TimeSpan grace, ILogger logger) : ITreeStopper
{
    public async Task StopTreeAsync(RunningWorker worker, CancellationToken cancellationToken)
    {
        var members = MembersOf(worker, finder.Find());
        var results = await killer.KillAsync([(worker.Display, members)], grace, cancellationToken);
        Log.TreeEnded(logger, results[0].ToString());
    }

    // After a worker's exit, what it left can only be below this launcher: its children were reparented to us
    // (PR_SET_CHILD_SUBREAPER, or PID 1 in a container) before its exit was reported. So the question is asked of our
    // own children that .NET did not start (ChildRegistry: workers, hooks, probes, the watchdog are registered), and
    // of what is below them: the adopted ones. Nothing is read of the other workers (issue 12: this check is on every
    // restart's path; reading every process's environment cost 6.5 ms, 675 ms under load, and reading our whole tree
    // still cost a few ms). The full discovery still runs when something is left.
    public bool HasLeftovers(RunningWorker worker)
    {
        foreach (var pid in processes.ChildPidsOf(Environment.ProcessId))
        {
            if (children.Contains(pid) || processes.Get(pid) is not { } adopted)
                continue;
            if (IsLeftOverBy(adopted, worker) || processes.DescendantsOf(pid).Any(p => IsLeftOverBy(p, worker)))
                return true;
        }

        return false;
    }

    private bool IsLeftOverBy(ProcessInfo process, RunningWorker worker) =>
        !process.IsZombie && string.Equals(processes.ReadMarkers(process.Pid).Node, worker.Node, StringComparison.Ordinal);

    public async Task StopTreesAsync(IReadOnlyList<RunningWorker> workers)
    {
        // Signals go out in the order given (the supervisor passes reverse start order) and the trees share one
        // grace period.
        var discovery = finder.Find();
        var targets = workers
            .Select(w => (Name: w.Display, Members: MembersOf(w, discovery)))
            .Where(t => t.Members.Count > 0)
            .ToList();
        if (targets.Count == 0)
            return;
        foreach (var result in await killer.KillAsync(targets, grace, CancellationToken.None))
            Log.TreeEnded(logger, result.ToString());
    }

    private IReadOnlyList<ProcessInfo> MembersOf(RunningWorker worker, Discovery discovery)
    {
        var unit = discovery.Units.FirstOrDefault(u => u.Pid == worker.Pid || u.Node == worker.Node);
        var members = unit?.Members ?? [];
        if (!members.Any(m => m.Identity == worker.Identity) && processes.Get(worker.Pid) is { } self && self.Identity == worker.Identity)
            members = [.. members, self];
        return members;
    }
}
