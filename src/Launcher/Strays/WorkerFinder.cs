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
internal sealed class WorkerFinder(IProcessTable processes, RuntimePaths paths, IReadOnlyList<Regex> patterns)
{
    public Discovery Find()
    {
        var snapshot = processes.Snapshot();
        var protectedPids = KillSafety.ProtectedPids(snapshot);
        var candidates = snapshot
            .Where(p => p.UserId == processes.CurrentUserId && !p.IsZombie && !protectedPids.Contains(p.Pid))
            .ToDictionary(p => p.Pid);
        var groups = new Dictionary<string, Group>(StringComparer.Ordinal);

        AddMarkerHolders(candidates, groups);
        AddPatternMatches(candidates, groups);
        var stale = AddRegistrations(candidates, groups);

        var childrenOf = candidates.Values.ToLookup(p => p.ParentPid);
        var units = groups.Values.Select(g => g.ToUnit(childrenOf)).OrderBy(u => u.Pid).ToList();
        return new Discovery(units, stale);
    }

    private void AddMarkerHolders(Dictionary<int, ProcessInfo> candidates, Dictionary<string, Group> groups)
    {
        foreach (var process in candidates.Values)
        {
            var markers = processes.ReadMarkers(process.Pid);
            if (!string.Equals(markers.Instance, paths.Instance, StringComparison.Ordinal) || markers.Role == "hook")
                continue;
            var key = markers.Node ?? $"pid:{process.Pid}";
            GroupFor(groups, key, markers.Node, "marker").Add(process, markers.Guard);
        }
    }

    private void AddPatternMatches(Dictionary<int, ProcessInfo> candidates, Dictionary<string, Group> groups)
    {
        if (patterns.Count == 0)
            return;

        var inGroups = groups.Values.SelectMany(g => g.Processes.Keys).ToHashSet();
        var matched = candidates.Values
            .Where(p => !inGroups.Contains(p.Pid) && p.CommandLine.Count > 0 && patterns.Any(r => r.IsMatch(p.CommandText)))
            .ToDictionary(p => p.Pid);

        // A pool child matches the same pattern as its parent: the tree's top match is the worker.
        foreach (var process in matched.Values)
        {
            var root = process;
            while (matched.TryGetValue(root.ParentPid, out var parent))
                root = parent;
            GroupFor(groups, $"pid:{root.Pid}", null, "pattern").Add(process, null);
        }
    }

    private List<StaleRegistration> AddRegistrations(Dictionary<int, ProcessInfo> candidates, Dictionary<string, Group> groups)
    {
        var stale = new List<StaleRegistration>();
        if (!Directory.Exists(paths.WorkersDir))
            return stale;

        foreach (var file in Directory.EnumerateFiles(paths.WorkersDir, "*.json"))
        {
            WorkerRegistration? registration;
            try
            {
                registration = JsonSerializer.Deserialize(File.ReadAllText(file), ProtocolJson.Default.WorkerRegistration);
            }
            catch (Exception ex) when (ex is IOException or JsonException)
            {
                stale.Add(new StaleRegistration(file, null, null, "unreadable"));
                continue;
            }

            if (registration is null)
                continue;
            var reason = StaleReason(registration, candidates);
            if (reason is not null)
            {
                stale.Add(new StaleRegistration(file, registration.Node, registration.Pid, reason));
                continue;
            }

            var process = candidates[registration.Pid];
            var markers = processes.ReadMarkers(registration.Pid);
            GroupFor(groups, registration.Node, registration.Node, "registration").Add(process, markers.Guard, registration);
        }

        return stale;
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
        if (!candidates.ContainsKey(registration.Pid))
            return $"pid {registration.Pid} is not a process of this user";
        return null;
    }

    private static Group GroupFor(Dictionary<string, Group> groups, string key, string? node, string foundBy)
    {
        if (!groups.TryGetValue(key, out var group))
            groups[key] = group = new Group(key, node);
        group.FoundBy.Add(foundBy);
        return group;
    }

    private sealed class Group(string key, string? node)
    {
        public Dictionary<int, ProcessInfo> Processes { get; } = [];
        public SortedSet<string> FoundBy { get; } = new(StringComparer.Ordinal);
        private WorkerRegistration? _registration;
        private string? _guard;

        public void Add(ProcessInfo process, string? guard, WorkerRegistration? registration = null)
        {
            Processes[process.Pid] = process;
            _guard ??= guard;
            _registration ??= registration;
        }

        public WorkerUnit ToUnit(ILookup<int, ProcessInfo> childrenOf)
        {
            // Descendants without the marker (a child that scrubbed its environment) still die with the tree.
            var members = new Dictionary<int, ProcessInfo>(Processes);
            var queue = new Queue<int>(members.Keys);
            while (queue.TryDequeue(out var pid))
            {
                foreach (var child in childrenOf[pid])
                {
                    if (members.TryAdd(child.Pid, child))
                        queue.Enqueue(child.Pid);
                }
            }

            var root = _registration is not null && members.TryGetValue(_registration.Pid, out var registered)
                ? registered
                : members.Values.Where(p => !members.ContainsKey(p.ParentPid)).MinBy(p => p.Identity.StartTicks);
            return new WorkerUnit(key, node, root, _registration, members.Values.ToList(), string.Join(',', FoundBy), _guard);
        }
    }
}
