using System.Collections.Concurrent;

namespace Launcher.Spawn;

/// <summary>Pids of children .NET itself waits for (workers, ping and hook commands): never reaped by hand.</summary>
internal sealed class ChildRegistry
{
    private readonly ConcurrentDictionary<int, byte> _pids = new();

    public void Add(int pid) => _pids[pid] = 0;

    public void Remove(int pid) => _pids.TryRemove(pid, out _);

    public bool Contains(int pid) => _pids.ContainsKey(pid);
}
