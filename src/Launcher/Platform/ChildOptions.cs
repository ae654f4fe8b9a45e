namespace Launcher.Platform;

/// <summary>
/// How <see cref="LinuxVforkStart"/> prepares a child: the cgroup it joins before its exec (null: none), its working directory,
/// and whether it gets the parent-death signal (workers, forked from the long-lived spawn thread, do; hooks and ping
/// commands, started from pool threads whose retirement would fire it, do not).
/// </summary>
internal sealed record ChildOptions(string? CgroupPath, string WorkingDirectory, bool ParentDeathSignal);
