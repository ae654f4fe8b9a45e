namespace Launcher.Platform;

/// <summary>Walks parent links in a process-table snapshot.</summary>
internal static class ProcessTree
{
    /// <summary>Every descendant of <paramref name="roots"/> (not the roots themselves, unless one descends from another), each once.</summary>
    public static IEnumerable<ProcessInfo> Descendants(ILookup<int, ProcessInfo> childrenOf, IEnumerable<int> roots)
    {
        var queue = new Queue<int>(roots);
        var seen = new HashSet<int>();
        while (queue.TryDequeue(out var pid))
        {
            foreach (var child in childrenOf[pid])
            {
                if (seen.Add(child.Pid))
                {
                    queue.Enqueue(child.Pid);
                    yield return child;
                }
            }
        }
    }
}
