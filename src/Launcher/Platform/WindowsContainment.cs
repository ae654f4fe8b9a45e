using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Launcher.Platform;

/// <summary>
/// Windows containment: the launcher puts itself in a job object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE.
/// Children join their parent's job, so every worker and descendant is in it, and when the launcher dies by
/// any means the kernel closes the last handle and terminates the whole job. Compiled on every OS; runs only
/// on Windows (not exercised by the Linux test suite).
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed partial class WindowsContainment : IContainment
{
    private const int JobObjectExtendedLimitInformation = 9;
    private const uint JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000;
    private nint _job;

    public void PrepareLauncher()
    {
        _job = CreateJobObject(0, null);
        if (_job == 0)
            throw new InvalidOperationException($"CreateJobObject failed: {Marshal.GetLastPInvokeError()}");

        var limits = new ExtendedLimitInformation { LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE };
        if (!SetInformationJobObject(_job, JobObjectExtendedLimitInformation, ref limits, Marshal.SizeOf<ExtendedLimitInformation>())
            || !AssignProcessToJobObject(_job, GetCurrentProcess()))
        {
            throw new InvalidOperationException($"could not set up the kill-on-close job object: {Marshal.GetLastPInvokeError()}");
        }
    }

    // Nothing to arm per worker: job membership is inherited at CreateProcess.
    public void PrepareWorker(int expectedParentPid)
    {
    }

    // Windows has no zombies to reap.
    public void ReapAdoptedZombies(Func<int, bool> isOwnChild)
    {
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ExtendedLimitInformation
    {
        public long PerProcessUserTimeLimit;
        public long PerJobUserTimeLimit;
        public uint LimitFlags;
        public nuint MinimumWorkingSetSize;
        public nuint MaximumWorkingSetSize;
        public uint ActiveProcessLimit;
        public nuint Affinity;
        public uint PriorityClass;
        public uint SchedulingClass;
        public ulong ReadOperationCount;
        public ulong WriteOperationCount;
        public ulong OtherOperationCount;
        public ulong ReadTransferCount;
        public ulong WriteTransferCount;
        public ulong OtherTransferCount;
        public nuint ProcessMemoryLimit;
        public nuint JobMemoryLimit;
        public nuint PeakProcessMemoryUsed;
        public nuint PeakJobMemoryUsed;
    }

    [LibraryImport("kernel32", EntryPoint = "CreateJobObjectW", StringMarshalling = StringMarshalling.Utf16, SetLastError = true)]
    private static partial nint CreateJobObject(nint attributes, string? name);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool SetInformationJobObject(nint job, int infoClass, ref ExtendedLimitInformation info, int length);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool AssignProcessToJobObject(nint job, nint process);

    [LibraryImport("kernel32")]
    private static partial nint GetCurrentProcess();
}
