namespace Launcher.Agent.Protocol;

/// <summary>
/// The file layout of the runtime directory, shared by the launcher and every worker:
/// <c>&lt;runtime&gt;/&lt;instance&gt;.lock</c>, <c>&lt;runtime&gt;/&lt;instance&gt;/workers/&lt;pid&gt;.json|.sock</c>.
/// </summary>
internal sealed record RuntimePaths(string Root, string Instance)
{
    /// <summary>The directory named by <c>LAUNCHER_RUNTIME_DIR</c>, else <c>$XDG_RUNTIME_DIR/launcher</c>, else <c>/tmp/launcher-&lt;uid&gt;</c>.</summary>
    public static string DefaultRoot()
    {
        var explicitDir = Environment.GetEnvironmentVariable(EnvironmentNames.RuntimeDir);
        if (!string.IsNullOrWhiteSpace(explicitDir))
        {
            // "/x/link/" would hide that the last component is a symlink from the launcher's check: no trailing '/'.
            var full = Path.GetFullPath(explicitDir);
            var trimmed = full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            return trimmed.Length == 0 ? full : trimmed;
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrWhiteSpace(xdg) && Directory.Exists(xdg))
            return Path.Combine(xdg, "launcher");

        return Path.Combine(Path.GetTempPath(), $"launcher-{SelfIdentity.UserId}");
    }

    /// <summary>The exclusive lock file held by the running launcher. Never deleted.</summary>
    public string LockFile => Path.Combine(Root, Instance + ".lock");

    /// <summary>Who holds the lock: pid, start ticks and command line, written after the lock is taken.</summary>
    public string HolderFile => Path.Combine(Root, Instance + ".holder.json");

    /// <summary>The launcher's view of its workers (last ping times), for <c>launcher status</c>.</summary>
    public string StatusFile => Path.Combine(Root, Instance + ".status.json");

    /// <summary>Registrations and ping sockets of this instance's workers.</summary>
    public string WorkersDir => Path.Combine(Root, Instance, "workers");

    /// <summary>The registration a worker with this pid writes.</summary>
    public string RegistrationFile(int pid) => Path.Combine(WorkersDir, $"{pid}.json");

    /// <summary>The socket a worker with this pid listens on.</summary>
    public string SocketFile(int pid) => Path.Combine(WorkersDir, $"{pid}.sock");

    /// <summary>
    /// Creates the root, the instance directory and <see cref="WorkersDir"/>, each 0700 on Unix. One level at a
    /// time: <c>Directory.CreateDirectory</c> applies the mode only to the last level it creates.
    /// </summary>
    public void CreateWorkersDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(WorkersDir);
            return;
        }

        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(Root, Private);
        Directory.CreateDirectory(Path.GetDirectoryName(WorkersDir)!, Private);
        Directory.CreateDirectory(WorkersDir, Private);
    }
}
