using System.Collections;
using System.IO.Pipes;
using System.Runtime.Versioning;
using Launcher.Platform;
using Microsoft.Win32.SafeHandles;

namespace Launcher.Spawn;

/// <summary>
/// Workers, hooks and ping commands started by the launcher's own vfork (<see cref="LinuxVforkStart"/>) rather than
/// through .NET's <c>Process</c> and the exec shim: the same environment, process group, cgroup and parent-death
/// rules, one process start fewer. Used on Linux unless the kernel has no <c>pidfd_open(2)</c> (before 5.3) or
/// <c>LAUNCHER_EXEC_SHIM=1</c> asks for the shim (to compare, or to rule this path out).
/// </summary>
[SupportedOSPlatform("linux")]
internal static class DirectStart
{
    public const string ShimVariable = "LAUNCHER_EXEC_SHIM";

    private static readonly bool ShimRequested = Environment.GetEnvironmentVariable(ShimVariable) == "1";

    // .NET waits for every child of a process that is PID 1 (a container's init) or that started with SIGCHLD
    // ignored (waitpid(-1) on each SIGCHLD), and would take our children's exit codes before our own waitid: there,
    // children start through Process, which .NET tracks. The second case is seen only when it happens
    // (PidfdExits.ChildrenReapedElsewhere): by then the disposition .NET inherited can no longer be read.
    public static bool Enabled => !ShimRequested && LinuxVforkStart.Available && Environment.ProcessId != 1 && !PidfdExits.ChildrenReapedElsewhere;

    /// <summary>
    /// Starts the child (registered in <paramref name="children"/> before any reaping can see it) and watches its
    /// exit; null when this path cannot start it (<see cref="LinuxVforkStart"/>), and nothing was started.
    /// </summary>
    public static DirectChild? TryStart(
        ChildOptions options,
        Func<int, (IReadOnlyList<string> Argv, IReadOnlyList<string> Environment)> imageFor,
        ChildRegistry children,
        Action<int> onExit)
    {
        LinuxChild? child;
        using (children.BeginStart())
        {
            child = LinuxVforkStart.TryStart(options, imageFor);
            if (child is null)
                return null;
            children.Add(child.Pid);
        }

        PidfdExits.Shared.Watch(child.PidFd, onExit);
        return new DirectChild(child.Pid, Open(child.StdoutFd), Open(child.StderrFd));
    }

    /// <summary>
    /// The launcher's own environment with <paramref name="overrides"/> applied (a null value removes the variable),
    /// as <c>Process</c> would have built it; <paramref name="added"/> last.
    /// </summary>
    public static List<string> ChildEnvironment(IReadOnlyDictionary<string, string?> overrides, params ReadOnlySpan<(string Name, string Value)> added)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            merged[(string)entry.Key] = (string?)entry.Value ?? "";
        foreach (var (name, value) in overrides)
        {
            if (value is null)
                merged.Remove(name);
            else
                merged[name] = value;
        }

        foreach (var (name, value) in added)
            merged[name] = value;
        var list = new List<string>(merged.Count);
        foreach (var (name, value) in merged)
            list.Add($"{name}={value}");
        return list;
    }

    // PipeStream reads a pipe through the runtime's epoll loop, as Process's own stdout does: no thread per pipe.
    private static AnonymousPipeClientStream Open(int fd) => new(PipeDirection.In, new SafePipeHandle(fd, ownsHandle: true));
}
