using System.Text.RegularExpressions;
using Launcher.Agent.Protocol;
using Launcher.Kill;
using Launcher.Platform;

namespace Launcher.Strays;

/// <summary>
/// Finds every worker of an instance from three sources, merged by process identity: registrations in the
/// runtime directory, processes whose environment carries the instance marker, and configured command-line
/// patterns. Only processes of the current user are considered, and never this process or its ancestors.
/// No source alone is enough to make a process a worker (issue 10, items 1 and 3): a registration counts only
/// when its process backs it (carries the instance marker, or answers the ping as the registered node), a
/// pattern match only when the process runs the configured program; an unconfirmed match is a candidate that
/// `launcher strays` lists and nothing kills.
/// </summary>
/// <remarks>
/// Each process lands in exactly one worker. A registered process is named by its registration, a marker holder
/// by its LAUNCHER_NODE, else by its nearest marked or registered ancestor (the child `sleep` of a worker started
/// by hand belongs to that worker), else by its own pid. Patterns only add processes that no other source
/// explained, and never this launcher's own descendants (its watchdog's command line names the instance), a
/// process carrying any instance marker, or a launcher process (or anything below one). Whether a unit found
/// here is a stray is decided by <see cref="Ownership"/>.
/// </remarks>
internal sealed class WorkerFinder(IProcessTable processes, RuntimePaths paths, IReadOnlyList<Regex> patterns, ConfiguredProgram program)
{
    private static readonly TimeSpan IdentityPingTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The configured program a pattern match must run to count, for messages.</summary>
    public string Program => program.Path;

    public Discovery Find()
    {
        var snapshot = processes.Snapshot();
        var protectedPids = KillSafety.ProtectedPids(snapshot);
        var candidates = snapshot
            .Where(p => !p.IsZombie && KillSafety.MayKill(p, processes.CurrentUserId, protectedPids)) // our uid, or provably ours
            .ToDictionary(p => p.Pid);
        var childrenOf = candidates.Values.ToLookup(p => p.ParentPid);

        var markersOf = candidates.Values.ToDictionary(p => p.Pid, p => processes.ReadMarkers(p.Pid));
        var marked = markersOf
            .Where(m => string.Equals(m.Value.Instance, paths.Instance, StringComparison.Ordinal) && m.Value.Role != "hook")
            .ToDictionary(m => m.Key, m => m.Value);
        var stale = new List<StaleRegistration>();
        var registered = ReadRegistrations(candidates, marked, stale);

        var groups = new Dictionary<string, Group>(StringComparer.Ordinal);
        foreach (var pid in registered.Keys.Union(marked.Keys))
        {
            var (key, node) = WorkerOf(pid, candidates, registered, marked);
            var group = GroupFor(groups, key, node);
            var registration = registered.GetValueOrDefault(pid);
            var markers = marked.GetValueOrDefault(pid);
            if (registration is not null)
                group.FoundBy.Add("registration");
            if (markers is not null)
                group.FoundBy.Add("marker");
            group.Add(candidates[pid], markers?.Guard, registration);
        }

        var explained = groups.Values.SelectMany(g => g.WithDescendants(childrenOf).Keys).ToHashSet();
        explained.UnionWith(ProcessTree.Descendants(childrenOf, [Environment.ProcessId]).Select(p => p.Pid));
        var unconfirmed = AddPatternMatches(snapshot, candidates, childrenOf, markersOf, explained, groups);

        var units = groups.Values.Select(g => g.ToUnit(childrenOf)).OrderBy(u => u.Pid).ToList();
        return new Discovery(units, stale, unconfirmed.Values.Select(g => g.ToUnit(childrenOf)).OrderBy(u => u.Pid).ToList());
    }

    /// <summary>The worker a process belongs to: its group key and node name (null when only a pid names it).</summary>
    private static (string Key, string? Node) WorkerOf(
        int pid,
        Dictionary<int, ProcessInfo> candidates,
        Dictionary<int, WorkerRegistration> registered,
        Dictionary<int, ProcessMarkers> marked)
    {
        // Parent links cannot form a cycle, but a table read while pids were reused could: the visited set bounds it.
        var visited = new HashSet<int>();
        var current = pid;
        while (visited.Add(current))
        {
            if (registered.TryGetValue(current, out var registration))
                return (registration.Node, registration.Node);
            if (marked.TryGetValue(current, out var markers) && markers.Node is not null)
                return (markers.Node, markers.Node);

            var parent = candidates[current].ParentPid;
            if (!candidates.ContainsKey(parent) || !(marked.ContainsKey(parent) || registered.ContainsKey(parent)))
                break;
            current = parent;
        }

        return ($"pid:{current}", null);
    }

    /// <summary>
    /// Adds pattern matches that run the configured program to <paramref name="groups"/>; returns the others,
    /// grouped the same way, as unconfirmed candidates.
    /// </summary>
    private Dictionary<string, Group> AddPatternMatches(
        IReadOnlyList<ProcessInfo> snapshot,
        Dictionary<int, ProcessInfo> candidates,
        ILookup<int, ProcessInfo> childrenOf,
        Dictionary<int, ProcessMarkers> markersOf,
        HashSet<int> explained,
        Dictionary<string, Group> groups)
    {
        var unconfirmed = new Dictionary<string, Group>(StringComparer.Ordinal);
        if (patterns.Count == 0)
            return unconfirmed;

        var all = snapshot.ToDictionary(p => p.Pid);
        var matched = candidates.Values
            .Where(p => !explained.Contains(p.Pid) && p.CommandLine.Count > 0 && patterns.Any(r => Matches(r, p.CommandText)))
            .Where(p => !BelongsToSomeLauncher(p, all, markersOf))
            .ToList();

        // A match is a worker only when the kernel corroborates it: a broad pattern, or one run as root, must never
        // turn into `pkill -f` (issue 10, item 1). What lies below a confirmed worker dies with its tree anyway.
        var confirmed = matched.Where(program.IsRunBy).ToDictionary(p => p.Pid);
        AddTrees(confirmed, groups, "pattern");
        var inConfirmedTrees = ProcessTree.Descendants(childrenOf, confirmed.Keys).Select(p => p.Pid).ToHashSet();
        AddTrees(matched.Where(p => !confirmed.ContainsKey(p.Pid) && !inConfirmedTrees.Contains(p.Pid)).ToDictionary(p => p.Pid), unconfirmed, "pattern only");
        return unconfirmed;
    }

    /// <summary>A pool child matches the same pattern as its parent: the top match of each tree is the worker.</summary>
    private static void AddTrees(Dictionary<int, ProcessInfo> matched, Dictionary<string, Group> groups, string foundBy)
    {
        foreach (var process in matched.Values)
        {
            var root = process;
            var visited = new HashSet<int> { root.Pid };
            while (matched.TryGetValue(root.ParentPid, out var parent) && visited.Add(parent.Pid))
                root = parent;
            var group = GroupFor(groups, $"pid:{root.Pid}", null);
            group.FoundBy.Add(foundBy);
            group.Add(process, null);
        }
    }

    /// <summary>
    /// A pattern never adds a process that a launcher accounts for: one carrying any instance marker (ours is
    /// grouped by marker already; another instance's worker is not ours), a launcher process itself (`run`, its
    /// watchdog, an exec shim: a pattern naming the config file matches them), or anything below either.
    /// </summary>
    private bool BelongsToSomeLauncher(ProcessInfo process, Dictionary<int, ProcessInfo> all, Dictionary<int, ProcessMarkers> markersOf)
    {
        var seen = new HashSet<int>();
        for (ProcessInfo? current = process; current is not null && current.Pid > 1 && seen.Add(current.Pid); current = all.GetValueOrDefault(current.ParentPid))
        {
            if (markersOf.TryGetValue(current.Pid, out var markers) && markers.Instance is not null)
                return true;
            if (LauncherProcesses.IsLauncher(current, processes))
                return true;
        }

        return false;
    }

    private static bool Matches(Regex pattern, string commandText)
    {
        try
        {
            return pattern.IsMatch(commandText);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pattern too slow to decide proves nothing, and nothing is killed on a guess.
            return false;
        }
    }

    private Dictionary<int, WorkerRegistration> ReadRegistrations(
        Dictionary<int, ProcessInfo> candidates, Dictionary<int, ProcessMarkers> marked, List<StaleRegistration> stale)
    {
        var registered = new Dictionary<int, WorkerRegistration>();
        var claims = new List<(string File, WorkerRegistration Registration)>();
        foreach (var read in RegistrationStore.ReadAll(paths.WorkersDir))
        {
            if (read.Complete is not { } registration)
            {
                stale.Add(new StaleRegistration(read.File, read.Registration?.Node, read.Registration is { Pid: > 0 } named ? named.Pid : null, read.Problem!));
                continue;
            }

            if (StaleReason(registration, candidates) is { } reason)
                stale.Add(new StaleRegistration(read.File, registration.Node, registration.Pid, reason));
            else
                claims.Add((read.File, registration));
        }

        foreach (var (file, registration, backed) in BackedClaims(claims, marked))
        {
            if (backed)
                registered[registration.Pid] = registration;
            else
                stale.Add(new StaleRegistration(file, registration.Node, registration.Pid, Unbacked(registration)));
        }

        return registered;
    }

    /// <summary>
    /// A registration is a claim; the process must back it before anything trusts it (issue 10, item 3): it carries
    /// this instance's marker, or it answers the protocol ping on its socket with the registered node and pid. The
    /// pings run together, so many silent claims cost one timeout, not one each.
    /// </summary>
    private List<(string File, WorkerRegistration Registration, bool Backed)> BackedClaims(
        List<(string File, WorkerRegistration Registration)> claims, Dictionary<int, ProcessMarkers> marked)
    {
        var pings = claims
            .Select(c => marked.ContainsKey(c.Registration.Pid)
                ? Task.FromResult(true)
                : AnswersAsync(c.Registration))
            .ToArray();
        Task.WaitAll(pings);
        return claims.Select((c, i) => (c.File, c.Registration, pings[i].Result)).ToList();
    }

    private async Task<bool> AnswersAsync(WorkerRegistration registration)
    {
        // Only the socket beside the registration, whatever path the file names: a planted file must not make us connect elsewhere.
        var reply = await PingClient.PingAsync(paths.SocketFile(registration.Pid), IdentityPingTimeout, CancellationToken.None);
        return reply is not null && reply.Pid == registration.Pid && string.Equals(reply.Node, registration.Node, StringComparison.Ordinal);
    }

    private static string Unbacked(WorkerRegistration registration) =>
        string.IsNullOrEmpty(registration.BootId)
            ? "no bootId, and the process neither carries the instance marker nor answers a ping: cannot prove identity across reboots"
            : $"pid {registration.Pid} neither carries the instance marker nor answers a ping as {registration.Node}: a registration alone is only a claim, the process is left alone";

    private string? StaleReason(WorkerRegistration registration, Dictionary<int, ProcessInfo> candidates)
    {
        if (!string.IsNullOrEmpty(registration.BootId) && registration.BootId != SelfIdentity.BootId)
            return "written before the last reboot";
        var ticks = processes.ReadStartTicks(registration.Pid);
        if (ticks is null)
            return $"pid {registration.Pid} is gone";
        if (ticks != registration.StartTicks)
            return $"pid {registration.Pid} now belongs to another process (different start time)";
        if (!candidates.TryGetValue(registration.Pid, out var process) || process.Identity.StartTicks != registration.StartTicks)
            return $"pid {registration.Pid} is not a live process of this user";
        return null;
    }

    private static Group GroupFor(Dictionary<string, Group> groups, string key, string? node)
    {
        if (!groups.TryGetValue(key, out var group))
            groups[key] = group = new Group(key, node);
        return group;
    }

    private sealed class Group(string key, string? node)
    {
        private readonly Dictionary<int, ProcessInfo> _processes = [];
        private WorkerRegistration? _registration;
        private string? _guard;

        public SortedSet<string> FoundBy { get; } = new(StringComparer.Ordinal);

        public void Add(ProcessInfo process, string? guard, WorkerRegistration? registration = null)
        {
            _processes[process.Pid] = process;
            _guard ??= guard;
            _registration ??= registration;
        }

        /// <summary>
        /// The group's processes plus their descendants by parent links: a child that scrubbed its environment
        /// still dies with the tree.
        /// </summary>
        public Dictionary<int, ProcessInfo> WithDescendants(ILookup<int, ProcessInfo> childrenOf)
        {
            var members = new Dictionary<int, ProcessInfo>(_processes);
            foreach (var child in ProcessTree.Descendants(childrenOf, _processes.Keys))
                members.TryAdd(child.Pid, child);
            return members;
        }

        public WorkerUnit ToUnit(ILookup<int, ProcessInfo> childrenOf)
        {
            var members = WithDescendants(childrenOf);
            var root = _registration is not null && members.TryGetValue(_registration.Pid, out var registered)
                ? registered
                : members.Values.Where(p => !members.ContainsKey(p.ParentPid)).MinBy(p => p.Identity.StartTicks);
            return new WorkerUnit(key, node, root, _registration, members.Values.ToList(), string.Join(',', FoundBy), _guard);
        }
    }
}
