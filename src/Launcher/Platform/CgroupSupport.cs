using System.Globalization;

namespace Launcher.Platform;

/// <summary>
/// Whether this launcher can contain its workers in a cgroup v2 subtree of its own (cgroups(7)), and where, or why
/// not. The subtree goes below the launcher's own cgroup, so it works as root on a plain host (including the
/// hybrid layout with v2 at <c>/sys/fs/cgroup/unified</c>) and for a user under systemd with a delegated subtree
/// (<c>Delegate=yes</c>); anything else falls back to markers, process groups and the watchdog.
/// </summary>
internal sealed record CgroupSupport(string? Parent, string? Reason)
{
    /// <summary><c>LAUNCHER_CONTAINMENT=fallback</c> turns cgroups off (to test the fallback, or on a host where they misbehave).</summary>
    public const string ModeVariable = "LAUNCHER_CONTAINMENT";

    public bool Available => Parent is not null;

    /// <summary>What `doctor` and the launcher log say about the containment in force.</summary>
    public string Describe() => Parent is { } parent
        ? $"cgroup v2 at {parent} (cgroup.kill {(KillFileSupported() ? "available" : "missing: every pid in cgroup.procs is killed instead")})"
        : $"fallback: markers + process groups + subreaper + watchdog ({Reason})";

    /// <summary>
    /// What `launcher doctor` prints: <see cref="Detect"/>, proven by creating and removing a cgroup of its own
    /// (<c>launcher-doctor-&lt;pid&gt;</c>), the way `launcher run` will.
    /// </summary>
    public static string DescribeForDoctor()
    {
        var support = Detect();
        if (support.Parent is not { } parent)
            return support.Describe();
        var probe = new Cgroup(Path.Join(parent, $"launcher-doctor-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}"));
        try
        {
            Cgroup.Create(probe.Path);
            return support.Describe();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new CgroupSupport(null, $"cannot create a cgroup under {parent}: {ex.Message}").Describe();
        }
        finally
        {
            probe.TryRemove();
        }
    }

    public static CgroupSupport Detect()
    {
        var mode = Environment.GetEnvironmentVariable(ModeVariable);
        if (string.Equals(mode, "fallback", StringComparison.OrdinalIgnoreCase))
            return new(null, $"{ModeVariable}=fallback");
        if (!OperatingSystem.IsLinux())
            return new(null, "cgroups are Linux only");
        if (FindMount() is not { } mount)
            return new(null, "no cgroup v2 file system is mounted");
        if (OwnCgroup() is not { } own)
            return new(null, "this process is in no cgroup v2 hierarchy (/proc/self/cgroup has no 0:: line)");

        // mountinfo's root is the part of the hierarchy the mount shows (a container sees only its own subtree).
        var relative = own;
        if (mount.Root != "/")
        {
            if (!(own == mount.Root || own.StartsWith(mount.Root + "/", StringComparison.Ordinal)))
                return new(null, $"own cgroup {own} lies outside the mounted subtree {mount.Root}");
            relative = own[mount.Root.Length..];
        }

        var parent = Path.TrimEndingDirectorySeparator(Path.Join(mount.Point, relative));
        if (!Directory.Exists(parent))
            return new(null, $"own cgroup {parent} is not visible");
        if (LibC.Access(Path.Join(parent, "cgroup.procs"), LibC.W_OK) != 0 || LibC.Access(parent, LibC.W_OK) != 0)
            return new(null, $"{parent} is not writable (not root, and no delegated subtree)");
        return new(parent, null);
    }

    // cgroup.kill (Linux 5.14) is absent from the root cgroup itself, so look for it in any child, else by version.
    private bool KillFileSupported()
    {
        if (Parent is null)
            return false;
        if (File.Exists(Path.Join(Parent, "cgroup.kill")))
            return true;
        var release = Environment.OSVersion.Version;
        return release.Major > 5 || (release.Major == 5 && release.Minor >= 14);
    }

    private static (string Point, string Root)? FindMount()
    {
        // proc(5), /proc/[pid]/mountinfo: "36 35 0:30 <root> <mount point> <options> [tags] - <fstype> <source> <super options>"
        foreach (var line in ReadLines("/proc/self/mountinfo"))
        {
            var separator = line.IndexOf(" - ", StringComparison.Ordinal);
            if (separator < 0)
                continue;
            var fields = line[..separator].Split(' ');
            var after = line[(separator + 3)..].Split(' ');
            if (fields.Length >= 5 && after.Length >= 1 && after[0] == "cgroup2")
                return (Unescape(fields[4]), Unescape(fields[3]));
        }

        return null;
    }

    /// <summary>The v2 line of /proc/self/cgroup: <c>0::/path</c>.</summary>
    public static string? OwnCgroup()
    {
        foreach (var line in ReadLines("/proc/self/cgroup"))
        {
            if (line.StartsWith("0::", StringComparison.Ordinal))
                return line[3..].TrimEnd() is { Length: > 0 } path && !path.StartsWith("/..", StringComparison.Ordinal) ? path : null;
        }

        return null;
    }

    // Spaces and a few other characters are written as octal escapes (\040).
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
            return field;
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length
                && int.TryParse(field.AsSpan(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                builder.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }

        return builder.ToString();
    }

    private static string[] ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
