using System.Runtime.Versioning;
using Launcher.Agent.Platform;

namespace Launcher.Platform.Windows;

/// <summary>
/// The job object every worker joins as soon as it starts (<c>AssignProcessToJobObject</c>); whatever a worker
/// starts later is in the job too, detached or not. The job is created with
/// <c>JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE</c> and only the launcher holds its handle (not inheritable), so when the
/// launcher dies by any means the kernel closes the handle and ends every process in the job: the Windows
/// counterpart of the cgroup and the watchdog. Its process list is how the stop finds what escaped a worker's tree.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WorkerJob : IDisposable
{
    /// <summary>What `launcher run` logs and `doctor` shows as the containment in force.</summary>
    public const string Description = "Windows job object per launcher (kill on close; TerminateJobObject at the end of the stop)";

    private static WorkerJob? s_current;
    private readonly WindowsHandle _job;

    private WorkerJob(WindowsHandle job) => _job = job;

    /// <summary>The job of this launcher, or null before <see cref="WindowsContainment.PrepareLauncher"/>.</summary>
    public static WorkerJob? Current => Volatile.Read(ref s_current);

    /// <summary>Creates the job once per launcher; throws when Windows refuses it (no containment is no run).</summary>
    public static WorkerJob Create()
    {
        if (Current is { } existing)
            return existing;
        var job = Kernel32.CreateJobObject(IntPtr.Zero, null);
        if (job.IsInvalid)
            throw new InvalidOperationException($"CreateJobObject failed (error {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        var limits = new Kernel32.ExtendedLimitInformation { LimitFlags = Kernel32.JobObjectLimitKillOnJobClose };
        unsafe
        {
            if (!Kernel32.SetInformationJobObject(job, Kernel32.JobObjectExtendedLimitInformationClass, ref limits, (uint)sizeof(Kernel32.ExtendedLimitInformation)))
            {
                var error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                job.Dispose();
                throw new InvalidOperationException($"SetInformationJobObject(KILL_ON_JOB_CLOSE) failed (error {error})");
            }
        }

        var created = new WorkerJob(job);
        return Interlocked.CompareExchange(ref s_current, created, null) ?? created;
    }

    /// <summary>Puts a freshly started worker into the job; false when it already exited or Windows refused.</summary>
    public bool Adopt(int pid)
    {
        using var process = WindowsProcesses.Open(pid, 0x0100 /* PROCESS_SET_QUOTA */ | WindowsProcesses.ProcessTerminate | WindowsProcesses.ProcessQueryLimitedInformation);
        return process is not null && Kernel32.AssignProcessToJobObject(_job, process);
    }

    /// <summary>The pids in the job now (<c>JobObjectBasicProcessIdList</c>).</summary>
    public unsafe IReadOnlyList<int> Pids()
    {
        const int Capacity = 4096;
        var size = (uint)(16 + Capacity * sizeof(nuint));
        var buffer = stackalloc byte[(int)size];
        if (!Kernel32.QueryInformationJobObject(_job, Kernel32.JobObjectBasicProcessIdListClass, buffer, size, out _))
            return [];
        // JOBOBJECT_BASIC_PROCESS_ID_LIST { DWORD NumberOfAssignedProcesses; DWORD NumberOfProcessIdsInList; ULONG_PTR ProcessIdList[] }
        var count = Math.Min(*(uint*)(buffer + 4), Capacity);
        var list = (nuint*)(buffer + 8);
        var pids = new List<int>((int)count);
        for (var i = 0; i < count; i++)
            pids.Add((int)list[i]);
        return pids;
    }

    /// <summary>Ends every process in the job at once (<c>TerminateJobObject</c>): the stop's last resort.</summary>
    public bool TerminateAll(uint exitCode) => Kernel32.TerminateJobObject(_job, exitCode);

    public void Dispose()
    {
        Interlocked.CompareExchange(ref s_current, null, this);
        _job.Dispose();
    }
}
