using System.Text.Json;
using System.Text.RegularExpressions;
using Launcher.Agent.Protocol;
using Launcher.Kill;
using Launcher.Platform;

namespace Launcher.Strays;

/// <summary>
/// Finds every worker of an instance from three sources, merged by process identity: registrations in the
/// runtime directory, processes whose environment carries the instance marker, and configured command-line
/// patterns. Only processes of the current user are considered, and never this process or its ancestors.
/// </summary>
/// <remarks>
/// Each process lands in exactly one worker. A registered process is named by its registration, a marker holder
/// by its LAUNCHER_NODE, else by its nearest marked or registered ancestor (the child `sleep` of a worker started
/// by hand belongs to that worker), else by its own pid. Patterns only add processes that no other source
/// explained, and never this launcher's own descendants (its watchdog's command line names the instance).
/// </remarks>
internal sealed class WorkerFinder(IProcessTable processes, RuntimePaths paths, IReadOnlyList<Regex> patterns)
{
    public Discovery Find()
    {
        var snapshot = processes.Snapshot();
        var protectedPids = KillSafety.ProtectedPids(snapshot);
        var candidates = snapshot
            .Where(p => p.UserId == processes.CurrentUserId && !p.IsZombie && !protectedPids.Contains(p.Pid))
            .ToDictionary(p => p.Pid);
        var childrenOf = candidates.Values.ToLookup(p => p.ParentPid);

        var stale = new List<StaleRegistration>();
        var registered = ReadRegistrations(candidates, stale);
        var marked = ReadMarkerHolders(candidates);

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
        explained.UnionWith(Descendants(childrenOf, Environment.ProcessId));
        AddPatternMatches(candidates, explained, groups);

        var units = groups.Values.Select(g => g.ToUnit(childrenOf)).OrderBy(u => u.Pid).ToList();
        return new Discovery(units, stale);
    }

    private Dictionary<int, ProcessMarkers> ReadMarkerHolders(Dictionary<int, ProcessInfo> candidates)
    {
        var holders = new Dictionary<int, ProcessMarkers>();
        foreach (var process in candidates.Values)
        {
            var markers = processes.ReadMarkers(process.Pid);
            if (string.Equals(markers.Instance, paths.Instance, StringComparison.Ordinal) && markers.Role != "hook")
                holders[process.Pid] = markers;
        }

        return holders;
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

    private void AddPatternMatches(Dictionary<int, ProcessInfo> candidates, HashSet<int> explained, Dictionary<string, Group> groups)
    {
        if (patterns.Count == 0)
            return;

        var matched = candidates.Values
            .Where(p => !explained.Contains(p.Pid) && p.CommandLine.Count > 0 && patterns.Any(r => Matches(r, p.CommandText)))
            .ToDictionary(p => p.Pid);

        // A pool child matches the same pattern as its parent: the tree's top match is the worker.
        foreach (var process in matched.Values)
        {
            var root = process;
            var visited = new HashSet<int> { root.Pid };
            while (matched.TryGetValue(root.ParentPid, out var parent) && visited.Add(parent.Pid))
                root = parent;
            var group = GroupFor(groups, $"pid:{root.Pid}", null);
            group.FoundBy.Add("pattern");
            group.Add(process, null);
        }
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

    private Dictionary<int, WorkerRegistration> ReadRegistrations(Dictionary<int, ProcessInfo> candidates, List<StaleRegistration> stale)
    {
        var registered = new Dictionary<int, WorkerRegistration>();
        if (!Directory.Exists(paths.WorkersDir))
            return registered;

        foreach (var file in Directory.EnumerateFiles(paths.WorkersDir, "*.json"))
        {
            WorkerRegistration? registration;
            try
            {
                registration = JsonSerializer.Deserialize(File.ReadAllText(file), ProtocolJson.Default.WorkerRegistration);
            }
            catch (FileNotFoundException)
            {
                continue; // the worker left the registry between listing and reading: nothing stale about that
            }
            catch (Exception ex) when (ex is IOException or JsonException)
            {
                stale.Add(new StaleRegistration(file, null, null, "unreadable"));
                continue;
            }

            if (registration is null)
            {
                stale.Add(new StaleRegistration(file, null, null, "empty"));
                continue;
            }

            var reason = StaleReason(registration, candidates);
            if (reason is not null)
                stale.Add(new StaleRegistration(file, registration.Node, registration.Pid, reason));
            else
                registered[registration.Pid] = registration;
        }

        return registered;
    }

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

    private static IEnumerable<int> Descendants(ILookup<int, ProcessInfo> childrenOf, int root)
    {
        var queue = new Queue<int>([root]);
        var seen = new HashSet<int> { root };
        while (queue.TryDequeue(out var pid))
        {
            foreach (var child in childrenOf[pid])
            {
                if (seen.Add(child.Pid))
                {
                    queue.Enqueue(child.Pid);
                    yield return child.Pid;
                }
            }
        }
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
            var queue = new Queue<int>(members.Keys);
            while (queue.TryDequeue(out var pid))
            {
                foreach (var child in childrenOf[pid])
                {
                    if (members.TryAdd(child.Pid, child))
                        queue.Enqueue(child.Pid);
                }
            }

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
