using Launcher.Agent.Platform;
using System.Globalization;

namespace Launcher.Platform;

/// <summary>
/// One cgroup v2 directory (cgroups(7), the kernel's "Control Group v2" document): the processes in it and in
/// every cgroup below it, and the kernel's way of ending them all at once. A process cannot leave a cgroup by
/// forking, double-forking, <c>setsid</c>, scrubbing its environment or changing its uid: only a write to
/// another cgroup's <c>cgroup.procs</c> moves it, which needs write access there.
/// </summary>
internal sealed class Cgroup(string path)
{
    private const int MaxKillRounds = 100;

    public string Path { get; } = path;

    public string ProcsFile => System.IO.Path.Join(Path, "cgroup.procs");

    public bool Exists => Directory.Exists(Path);

    public static Cgroup Create(string path)
    {
        Directory.CreateDirectory(path); // mkdir(2) in cgroupfs creates the cgroup and its interface files
        return new Cgroup(path);
    }

    public Cgroup Child(string name) => Create(System.IO.Path.Join(Path, name));

    /// <summary>Moves <paramref name="pid"/> (as this process's pid namespace names it) into this cgroup.</summary>
    public void Join(int pid) => File.WriteAllText(ProcsFile, pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>Every process in this cgroup and below it (cgroup.procs lists only a cgroup's own members).</summary>
    public IReadOnlyList<int> Pids()
    {
        var pids = new List<int>();
        Collect(Path, pids);
        return pids;
    }

    /// <summary>True while any process lives in this cgroup or below (<c>populated</c> in cgroup.events).</summary>
    public bool IsPopulated()
    {
        try
        {
            return File.ReadAllLines(System.IO.Path.Join(Path, "cgroup.events")).Contains("populated 1");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Pids().Count > 0;
        }
    }

    /// <summary>
    /// SIGKILL to every process in this cgroup and below: one write to <c>cgroup.kill</c> (Linux 5.14+), which
    /// the kernel applies to the whole subtree and to processes forking meanwhile; on older kernels every pid in
    /// cgroup.procs, pinned by a pidfd and re-checked to be a member before the signal, until none is left.
    /// </summary>
    public void Kill()
    {
        var killFile = System.IO.Path.Join(Path, "cgroup.kill");
        if (File.Exists(killFile))
        {
            try
            {
                File.WriteAllText(killFile, "1");
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // fall through to one by one
            }
        }

        for (var round = 0; round < MaxKillRounds && Pids() is { Count: > 0 } pids; round++)
        {
            foreach (var pid in pids)
                KillMember(pid);
            Thread.Sleep(10);
        }
    }

    /// <summary>Removes this cgroup and every cgroup below it (rmdir(2), deepest first); false when one is still populated.</summary>
    public bool TryRemove()
    {
        try
        {
            // Most runs have no cgroup below them: one rmdir, and the listing only when it fails.
            try
            {
                Directory.Delete(Path, recursive: false);
                return true;
            }
            catch (IOException ex) when (ex is not DirectoryNotFoundException)
            {
            }

            foreach (var child in Directory.GetDirectories(Path))
                new Cgroup(child).TryRemove();
            Directory.Delete(Path, recursive: false);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private void KillMember(int pid)
    {
        // The pidfd pins the process: if it is still listed in our cgroup after the open, the signal reaches it and
        // not a stranger that reused its pid.
        var pidFd = Syscalls.PidFdOpen(pid);
        if (pidFd < 0)
            return;
        try
        {
            if (Pids().Contains(pid))
                _ = Syscalls.PidFdSendSignal(pidFd, (int)Signal.Kill);
        }
        finally
        {
            _ = Syscalls.Close(pidFd);
        }
    }

    private static void Collect(string path, List<int> pids)
    {
        try
        {
            foreach (var line in File.ReadLines(System.IO.Path.Join(path, "cgroup.procs")))
            {
                // A member outside our pid namespace reads as 0.
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0)
                    pids.Add(pid);
            }

            foreach (var child in Directory.GetDirectories(path))
                Collect(child, pids);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // removed meanwhile
        }
    }

    public override string ToString() => Path;
}
