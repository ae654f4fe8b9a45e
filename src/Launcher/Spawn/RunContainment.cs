using System.Globalization;
using Launcher.Kill;
using Launcher.Logging;
using Launcher.Platform;
using Launcher.Platform.Windows;
using Microsoft.Extensions.Logging;

namespace Launcher.Spawn;

/// <summary>
/// The containment of one `launcher run`, decided once: a cgroup v2 subtree of its own where the kernel lets us
/// (<see cref="CgroupTree"/>), else the fallback layers (parent-death signal, process groups, markers, subreaper,
/// watchdog). Either way it answers the same two questions at stop: what outlived the worker trees, and how to end
/// it. With cgroups that is everything still in <c>workers/</c>; without, every process the launcher adopted as
/// child subreaper (a helper that did <c>setsid env -i ...</c> and lost every marker) and its descendants.
/// </summary>
internal sealed class RunContainment : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan KillVerifyLimit = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LateKill = TimeSpan.FromSeconds(1);
    private readonly IProcessTable _processes;
    private readonly ISignalSender _signals;
    private readonly ChildRegistry _children;
    private readonly ILogger _logger;
    private int _staleSwept;

    private RunContainment(CgroupTree? cgroups, string description, IProcessTable processes, ISignalSender signals, ChildRegistry children, ILogger logger)
    {
        Cgroups = cgroups;
        Description = description;
        _processes = processes;
        _signals = signals;
        _children = children;
        _logger = logger;
    }

    /// <summary>The subtree, or null in the fallback.</summary>
    public CgroupTree? Cgroups { get; }

    /// <summary>"cgroup v2 at ..." or "fallback: ... (reason)", as `doctor` says it.</summary>
    public string Description { get; }

    public static RunContainment Start(string instance, string runtimeRoot, PlatformServices platform, ChildRegistry children, ILogger logger)
    {
        var support = CgroupSupport.Detect();
        CgroupTree? cgroups = null;
        var description = OperatingSystem.IsWindows() ? WorkerJob.Description : support.Describe();
        if (support.Parent is { } parent)
        {
            try
            {
                cgroups = CgroupTree.Create(parent, instance, runtimeRoot);
                description = $"cgroup v2 at {cgroups.Root.Path}";
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                description = new CgroupSupport(null, $"cannot create a cgroup under {parent}: {ex.Message}").Describe();
            }
        }

        ProvablyOurs.Register(cgroups);
        Log.ContainmentInForce(logger, description);
        return new RunContainment(cgroups, description, platform.Processes, platform.Signals, children, logger);
    }

    /// <summary>
    /// Names the workers' cgroup for the exec shim. The first call (the first worker, after the stray sweep had
    /// its graceful turn) also ends the subtrees that launchers of this instance left when they and their watchdog
    /// were SIGKILLed: a worker that dropped privileges is invisible to the sweep, but not to its cgroup.
    /// </summary>
    public void AddWorkerEnvironment(IDictionary<string, string?> environment)
    {
        if (Cgroups is null)
            return;
        if (Interlocked.Exchange(ref _staleSwept, 1) == 0)
            RemoveStaleSubtrees();
        environment[CgroupJoin.Variable] = Cgroups.Workers.Path;
    }

    /// <summary>
    /// Runs beside the stop of the worker trees: SIGTERM to everything that is ours but in no tree (now and as
    /// more is orphaned), SIGKILL (<c>cgroup.kill</c>) to what is left when the grace period ends, then verifies.
    /// Returns what could not be stopped, one description per process.
    /// </summary>
    public async Task<IReadOnlyList<string>> StopLeftoversAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        // A little after the trees' own SIGKILL, so a stubborn worker is reported as TreeKiller ended it.
        var deadline = DateTime.UtcNow + grace + LateKill;
        var warned = new HashSet<ProcessIdentity>();
        var where = Cgroups is null ? "adopted by the launcher" : $"in {Cgroups.Workers.Path}";
        while (true)
        {
            var (leftovers, outsideTrees) = Leftovers();
            var fresh = leftovers.Where(p => warned.Add(p.Identity)).ToList();
            if (fresh.Where(p => outsideTrees.Contains(p.Pid)).ToList() is { Count: > 0 } escaped)
                Log.LeftoversFound(_logger, escaped.Count, where, Describe(escaped));
            foreach (var process in fresh)
            {
                _signals.Send(process.Identity, Signal.Terminate);
                _signals.Send(process.Identity, Signal.Continue);
            }

            if (leftovers.Count == 0)
                return [];
            if (DateTime.UtcNow >= deadline)
                break;
            await Task.Delay(PollInterval, cancellationToken);
        }

        Log.LeftoversKilled(_logger, Cgroups is not null ? "cgroup.kill" : OperatingSystem.IsWindows() ? "TerminateJobObject" : "SIGKILL to each");
        var until = DateTime.UtcNow + KillVerifyLimit;
        while (Leftovers().All is { Count: > 0 } left)
        {
            if (DateTime.UtcNow >= until)
            {
                var survivors = left.Select(p => $"pid {p.Pid} uid {p.UserId} ({Shorten(p.CommandText)})").ToList();
                Log.LeftoversSurvived(_logger, string.Join(", ", survivors));
                return survivors;
            }

            if (Cgroups is not null)
            {
                Cgroups.Workers.Kill();
            }
            else if (OperatingSystem.IsWindows() && WorkerJob.Current is { } job)
            {
                job.TerminateAll(128 + (uint)Signal.Kill);
            }
            else
            {
                foreach (var process in left)
                    _signals.Send(process.Identity, Signal.Kill);
            }

            await Task.Delay(PollInterval / 2, cancellationToken);
        }

        return [];
    }

    /// <summary>The watchdog's argument: the subtree it kills if the launcher dies, or null.</summary>
    public string? WatchdogCgroup => Cgroups?.Root.Path;

    /// <summary>Ends whatever is still in the subtree (hooks, probes) and removes it.</summary>
    public void Dispose()
    {
        ProvablyOurs.Register(null);
        if (Cgroups is not null && !Cgroups.Remove())
            Log.CgroupNotRemoved(_logger, Cgroups.Root.Path);
    }

    private void RemoveStaleSubtrees()
    {
        var parent = Path.GetDirectoryName(Cgroups!.Root.Path)!;
        var count = Directory.GetDirectories(parent, Cgroups.Prefix + "*").Length - 1;
        if (count <= 0)
            return;
        var processes = Cgroups.RemoveStale();
        Log.StaleCgroupsRemoved(_logger, count, Cgroups.Prefix, processes);
    }

    /// <summary>Everything ours that is still alive, and which of those pids are in no worker's tree.</summary>
    private (List<ProcessInfo> All, HashSet<int> OutsideTrees) Leftovers()
    {
        var snapshot = _processes.Snapshot();
        var childrenOf = snapshot.ToLookup(p => p.ParentPid);
        var self = Environment.ProcessId;
        var inTrees = snapshot.Where(p => p.ParentPid == self && _children.Contains(p.Pid)).Select(p => p.Pid).ToHashSet();
        inTrees.UnionWith(ProcessTree.Descendants(childrenOf, inTrees.ToList()).Select(p => p.Pid));
        var protectedPids = KillSafety.ProtectedPids(snapshot);
        IEnumerable<ProcessInfo> found;
        if (Cgroups is not null)
        {
            var byPid = snapshot.ToDictionary(p => p.Pid);
            found = Cgroups.Workers.Pids().Select(pid => byPid.GetValueOrDefault(pid)).OfType<ProcessInfo>();
        }
        else if (OperatingSystem.IsWindows() && WorkerJob.Current is { } job)
        {
            // Everything any worker started is in the job, detached or not (Platform/Windows/WorkerJob).
            var inJob = job.Pids().ToHashSet();
            found = snapshot.Where(p => inJob.Contains(p.Pid));
        }
        else
        {
            // Children we did not start ourselves came to us as child subreaper: orphans of our workers' trees.
            var adopted = snapshot.Where(p => p.ParentPid == self && !_children.Contains(p.Pid)).Select(p => p.Pid).ToList();
            found = snapshot.Where(p => adopted.Contains(p.Pid))
                .Concat(ProcessTree.Descendants(childrenOf, adopted));
        }

        var all = found.Where(p => !p.IsZombie && KillSafety.MayKill(p, _processes.CurrentUserId, protectedPids)).DistinctBy(p => p.Pid).ToList();
        return (all, all.Select(p => p.Pid).Where(pid => !inTrees.Contains(pid)).ToHashSet());
    }

    private static string Describe(IEnumerable<ProcessInfo> processes) =>
        string.Join(", ", processes.Take(10).Select(p => $"{p.Pid.ToString(CultureInfo.InvariantCulture)} ({Shorten(p.CommandText)})"));

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
