using System.Runtime.Versioning;
using Launcher.Exceptions;

namespace Launcher.Platform.Windows;

/// <summary>
/// How a worker starts on Windows: its program directly (no exec shim: Windows cannot keep a pid across a change of
/// program), then into the launcher's job at once (<see cref="WorkerJob"/>). The pid is known only once the program
/// runs, so <c>{pid}</c> and <c>{node}</c> cannot be put in its arguments; a worker with the Launcher agent names
/// itself <c>api&lt;pid&gt;@&lt;host&gt;</c> from its own pid, as the launcher does.
/// </summary>
[SupportedOSPlatform("windows")]
internal static class WindowsWorkerStart
{
    /// <summary>The worker's argv, refused (exit 2) when it still holds a placeholder only the pid could fill.</summary>
    public static IReadOnlyList<string> Check(IReadOnlyList<string> argv)
    {
        if (argv.Any(a => a.Contains("{pid}", StringComparison.Ordinal) || a.Contains("{node}", StringComparison.Ordinal)))
        {
            throw new ConfigException("command",
                "{pid} and {node} cannot be filled in on Windows (no exec: the pid is known only after the program started); " +
                "drop them, a worker with the Launcher agent names itself api<pid>@<host>");
        }

        return argv;
    }

    /// <summary>Puts the started worker into the job; a worker that cannot be contained is ended, never left running.</summary>
    public static void Contain(int pid)
    {
        var job = WorkerJob.Current ?? WorkerJob.Create();
        if (job.Adopt(pid))
            return;
        var created = Agent.Platform.WindowsProcesses.ReadCreationTime(pid);
        if (created is { } ticks)
            _ = Agent.Platform.WindowsProcesses.Terminate(pid, ticks, 1);
        throw new InvalidOperationException($"worker pid {pid} could not be put in the launcher's job object; it was ended");
    }
}
