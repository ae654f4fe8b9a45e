using System.Runtime.Versioning;

namespace Launcher.Platform.Windows;

/// <summary>
/// The job object every worker joins as soon as it starts (<c>AssignProcessToJobObject</c>); whatever a worker
/// starts later is in the job too, detached or not. It is a <see cref="KillOnCloseJob"/>: when the launcher dies by
/// any means the kernel closes its handle and ends every process in the job, the Windows counterpart of the cgroup
/// and the watchdog. Its process list is how the stop finds what escaped a worker's tree.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WorkerJob : IDisposable
{
    /// <summary>What `launcher run` logs and `doctor` shows as the containment in force.</summary>
    public const string Description = "Windows job object per launcher (kill on close; TerminateJobObject at the end of the stop)";

    private static WorkerJob? s_current;
    private readonly KillOnCloseJob _job;

    private WorkerJob(KillOnCloseJob job) => _job = job;

    /// <summary>The job of this launcher, or null before <see cref="WindowsContainment.PrepareLauncher"/>.</summary>
    public static WorkerJob? Current => Volatile.Read(ref s_current);

    /// <summary>Creates the job once per launcher; throws when Windows refuses it (no containment is no run).</summary>
    public static WorkerJob Create()
    {
        if (Current is { } existing)
            return existing;
        var created = new WorkerJob(KillOnCloseJob.Create());
        if (Interlocked.CompareExchange(ref s_current, created, null) is { } raced)
        {
            created._job.Dispose();
            return raced;
        }

        return created;
    }

    /// <summary>Puts a freshly started worker into the job; false when it already exited or Windows refused.</summary>
    public bool Adopt(int pid) => _job.Adopt(pid);

    /// <summary>The pids in the job now (<c>JobObjectBasicProcessIdList</c>).</summary>
    public IReadOnlyList<int> Pids() => _job.Pids();

    /// <summary>Ends every process in the job at once (<c>TerminateJobObject</c>): the stop's last resort.</summary>
    public bool TerminateAll(uint exitCode) => _job.TerminateAll(exitCode);

    public void Dispose()
    {
        Interlocked.CompareExchange(ref s_current, null, this);
        _job.Dispose();
    }
}
