using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Launcher.Agent.Platform;

namespace Launcher.Platform.Windows;

/// <summary>
/// A job object created with <c>JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE</c> whose only handle is this launcher's (not
/// inheritable): when the launcher dies by any means the kernel closes the handle and ends every process in the job.
/// The launcher's workers share one (<see cref="WorkerJob"/>); every hook, ping and census command gets one of its own
/// (<see cref="CommandJob"/>), so what such a command leaves behind, or the command itself at its timeout, can be ended
/// without touching the workers.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class KillOnCloseJob : IDisposable
{
    private readonly WindowsHandle _job;

    private KillOnCloseJob(WindowsHandle job) => _job = job;

    /// <summary>A new job; throws when Windows refuses it (no containment is no start).</summary>
    public static KillOnCloseJob Create()
    {
        var job = Kernel32.CreateJobObject(IntPtr.Zero, null);
        if (job.IsInvalid)
            throw new InvalidOperationException($"CreateJobObject failed (error {Marshal.GetLastPInvokeError()})");
        var limits = new Kernel32.ExtendedLimitInformation { LimitFlags = Kernel32.JobObjectLimitKillOnJobClose };
        unsafe
        {
            if (!Kernel32.SetInformationJobObject(job, Kernel32.JobObjectExtendedLimitInformationClass, ref limits, (uint)sizeof(Kernel32.ExtendedLimitInformation)))
            {
                var error = Marshal.GetLastPInvokeError();
                job.Dispose();
                throw new InvalidOperationException($"SetInformationJobObject(KILL_ON_JOB_CLOSE) failed (error {error})");
            }
        }

        return new KillOnCloseJob(job);
    }

    /// <summary>Puts a freshly started process into the job; false when it already exited or Windows refused.</summary>
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

    /// <summary>Ends every process in the job at once (<c>TerminateJobObject</c>).</summary>
    public bool TerminateAll(uint exitCode) => Kernel32.TerminateJobObject(_job, exitCode);

    public void Dispose() => _job.Dispose();
}
