using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Launcher.Platform;

/// <summary>
/// One launcher's cgroup subtree, below the launcher's own cgroup:
/// <c>launcher-&lt;instance&gt;-&lt;runtime dir hash&gt;-&lt;launcher pid&gt;/</c> with <c>workers/</c> (every worker and
/// everything it ever forks), <c>hooks/&lt;n&gt;/</c> (one per onWorkerExit run) and <c>probes/&lt;n&gt;/</c> (one per
/// ping command). The launcher itself stays outside, so <c>cgroup.kill</c> on the subtree never reaches it.
/// The instance lock is per (instance, runtime directory), so any other subtree with the same prefix belongs to a
/// launcher that is gone: <see cref="RemoveStale"/> ends and removes it.
/// </summary>
internal sealed partial class CgroupTree
{
    private int _runs;

    private CgroupTree(string hierarchyPath, string prefix, Cgroup root)
    {
        HierarchyPath = hierarchyPath;
        Prefix = prefix;
        Root = root;
        Workers = root.Child("workers");
        Hooks = root.Child("hooks");
        Probes = root.Child("probes");
    }

    /// <summary>The subtree's path as /proc/&lt;pid&gt;/cgroup names it (<c>/launcher-...</c> below the launcher's own cgroup).</summary>
    public string HierarchyPath { get; }

    public string Prefix { get; }

    public Cgroup Root { get; }

    public Cgroup Workers { get; }

    public Cgroup Hooks { get; }

    public Cgroup Probes { get; }

    /// <summary>Creates this launcher's subtree under <paramref name="parent"/>; throws IOException/UnauthorizedAccessException when it cannot.</summary>
    public static CgroupTree Create(string parent, string instance, string runtimeRoot)
    {
        var prefix = PrefixFor(instance, runtimeRoot);
        var name = prefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var root = Cgroup.Create(Path.Join(parent, name));
        var own = CgroupSupport.OwnCgroup() ?? "/";
        return new CgroupTree(own.TrimEnd('/') + "/" + name, prefix, root);
    }

    /// <summary>The name every subtree of this instance and runtime directory starts with.</summary>
    public static string PrefixFor(string instance, string runtimeRoot)
    {
        var hash = Convert.ToHexStringLower(Sha256.HashData(Encoding.UTF8.GetBytes(runtimeRoot)))[..8];
        var safe = Unsafe().Replace(instance, "_");
        return $"launcher-{safe[..Math.Min(safe.Length, 100)]}-{hash}-";
    }

    /// <summary>A fresh cgroup for one hook or probe run, removed by the caller.</summary>
    public Cgroup NewRun(Cgroup parent) =>
        parent.Child("r" + Interlocked.Increment(ref _runs).ToString(CultureInfo.InvariantCulture));

    /// <summary>True when <paramref name="pid"/> is anywhere in this subtree.</summary>
    public bool Contains(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/cgroup"))
            {
                if (line.StartsWith("0::", StringComparison.Ordinal))
                    return line[3..] == HierarchyPath || line[3..].StartsWith(HierarchyPath + "/", StringComparison.Ordinal);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return false;
    }

    /// <summary>
    /// Ends and removes the subtrees left by earlier launchers of this instance and runtime directory (the
    /// launcher and its watchdog were both SIGKILLed): returns how many processes were still in them.
    /// </summary>
    public int RemoveStale()
    {
        var killed = 0;
        var parent = Path.GetDirectoryName(Root.Path)!;
        foreach (var directory in Directory.GetDirectories(parent, Prefix + "*"))
        {
            if (directory == Root.Path)
                continue;
            var stale = new Cgroup(directory);
            killed += stale.Pids().Count;
            stale.Kill();
            WaitUntilEmpty(stale, TimeSpan.FromSeconds(5));
            stale.TryRemove();
        }

        return killed;
    }

    /// <summary>Kills what is left anywhere in the subtree and removes it; false when something could not be removed.</summary>
    public bool Remove()
    {
        if (!Root.Exists)
            return true;
        if (Root.IsPopulated())
        {
            Root.Kill();
            WaitUntilEmpty(Root, TimeSpan.FromSeconds(5));
        }

        return Root.TryRemove();
    }

    /// <summary>
    /// The watchdog's sweep of a dead launcher's subtree: <c>cgroup.kill</c>, wait, remove. Only a directory named like
    /// a launcher subtree and holding <c>cgroup.procs</c> is touched. Returns how many processes were in it.
    /// </summary>
    public static int KillAndRemove(string path)
    {
        if (!Path.GetFileName(path).StartsWith("launcher-", StringComparison.Ordinal) || !File.Exists(Path.Join(path, "cgroup.procs")))
            return 0;
        var subtree = new Cgroup(path);
        var count = subtree.Pids().Count;
        if (count > 0)
        {
            subtree.Kill();
            WaitUntilEmpty(subtree, TimeSpan.FromSeconds(5));
        }

        subtree.TryRemove();
        return count;
    }

    public static bool WaitUntilEmpty(Cgroup cgroup, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (cgroup.IsPopulated())
        {
            if (DateTime.UtcNow >= until)
                return false;
            Thread.Sleep(10);
        }

        return true;
    }

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex Unsafe();
}
