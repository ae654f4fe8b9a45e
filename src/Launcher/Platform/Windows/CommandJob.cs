using System.ComponentModel;
using System.Runtime.Versioning;
using Launcher.Agent.Platform;

namespace Launcher.Platform.Windows;

/// <summary>
/// How an <c>onWorkerExit</c> hook, a <c>ping.command</c> or a <c>census.command</c> is contained on Windows, where
/// there is no exec shim, no process group and no cgroup: the command starts directly and joins a job of its own
/// (<see cref="KillOnCloseJob"/>) at once. Everything it starts afterwards is in that job too, so once the command has
/// exited (or at its timeout) <c>TerminateJobObject</c> ends what it left behind, and its pipes close; if the launcher
/// dies first, the kernel ends the job with the launcher's handle. A child the command starts before it joined (its
/// first instructions, before the launcher's <c>AssignProcessToJobObject</c>) is the one gap, as for workers.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class CommandJob : IDisposable
{
    private const uint KilledExitCode = 128 + (uint)Signal.Kill;
    private readonly KillOnCloseJob _job;

    private CommandJob(KillOnCloseJob job) => _job = job;

    /// <summary>
    /// Puts the just-started command <paramref name="pid"/> into a job of its own. A command that already exited is
    /// fine (its job is empty); one that runs but cannot join is ended and reported as not started, never left running.
    /// </summary>
    public static CommandJob Contain(int pid)
    {
        var job = new CommandJob(KillOnCloseJob.Create());
        if (job._job.Adopt(pid) || WindowsProcesses.ReadCreationTime(pid) is not { } created || !WindowsProcesses.IsRunning(pid, created))
            return job;
        _ = WindowsProcesses.Terminate(pid, created, KilledExitCode);
        job.Dispose();
        // A Win32Exception, as for a program that cannot start: the hook or probe failed, not the worker it is about.
        throw new Win32Exception($"pid {pid} could not be put in a job object of its own (AssignProcessToJobObject); it was ended");
    }

    /// <summary>
    /// Ends everything in the job (the command itself too when <paramref name="leaderAlive"/>, i.e. at its timeout);
    /// returns how many processes were found, not counting the command once it exited, nor the console host Windows
    /// starts beside a console program (<c>conhost.exe</c>, in the job with it: not something the command left).
    /// </summary>
    public int KillAll(int leaderPid, bool leaderAlive)
    {
        var members = _job.Pids();
        var found = members.Count(pid => (pid != leaderPid || leaderAlive) && !IsConsoleHost(pid));
        if (members.Count > 0)
            _ = _job.TerminateAll(KilledExitCode);
        return found;
    }

    public void Dispose() => _job.Dispose();

    private static bool IsConsoleHost(int pid)
    {
        using var handle = WindowsProcesses.Open(pid, WindowsProcesses.ProcessQueryLimitedInformation);
        return handle is not null && QueryImage.PathOf(handle) is { } image
            && Path.GetFileName(image).Equals("conhost.exe", StringComparison.OrdinalIgnoreCase);
    }
}
