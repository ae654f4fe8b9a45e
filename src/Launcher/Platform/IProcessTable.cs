namespace Launcher.Platform;

/// <summary>Read-only view of the operating system's process table.</summary>
internal interface IProcessTable
{
    /// <summary>The current (real) user id.</summary>
    int CurrentUserId { get; }

    /// <summary>Every process visible now. Rows of processes that exit while reading are dropped.</summary>
    IReadOnlyList<ProcessInfo> Snapshot();

    /// <summary>
    /// The live descendants of <paramref name="pid"/> (not itself). The default walks a whole <see cref="Snapshot"/>;
    /// an implementation that can ask the kernel for a process's children directly costs only the size of that tree.
    /// </summary>
    IReadOnlyList<ProcessInfo> DescendantsOf(int pid) => [.. ProcessTree.Descendants(Snapshot().ToLookup(p => p.ParentPid), [pid])];

    /// <summary>The pids of the direct children of <paramref name="pid"/> (zombies included); the default walks a <see cref="Snapshot"/>.</summary>
    IReadOnlyList<int> ChildPidsOf(int pid) => [.. Snapshot().Where(p => p.ParentPid == pid).Select(p => p.Pid)];

    /// <summary>One process, or null when it is gone.</summary>
    ProcessInfo? Get(int pid);

    /// <summary>The process's start ticks, or null when it is gone.</summary>
    ulong? ReadStartTicks(int pid);

    /// <summary>One variable of the environment the process was started with; null when absent or unreadable.</summary>
    string? ReadEnvironmentVariable(int pid, string name);

    /// <summary>
    /// The full path of the program the process runs (with symlinks resolved), or null when it is gone or
    /// belongs to a user we may not inspect. A program deleted since it started still gives its old path.
    /// </summary>
    string? ReadExecutablePath(int pid);

    /// <summary>The process's current working directory, or null when it is gone or belongs to a user we may not inspect.</summary>
    string? ReadWorkingDirectory(int pid);

    /// <summary>True when the kernel lists an exclusive <c>flock(2)</c> held by <paramref name="pid"/> on the file with inode <paramref name="inode"/>.</summary>
    bool HoldsWriteFlock(int pid, ulong inode);

    /// <summary>The launcher's marker variables, read in one pass over the environment.</summary>
    ProcessMarkers ReadMarkers(int pid);

    /// <summary>Wall-clock start time of a process from its start ticks.</summary>
    DateTimeOffset StartTimeOf(ulong startTicks);

    /// <summary>True while this identity names a live, non-zombie process.</summary>
    bool IsAlive(ProcessIdentity identity);
}
