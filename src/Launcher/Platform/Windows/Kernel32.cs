using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Launcher.Agent.Platform;

namespace Launcher.Platform.Windows;

/// <summary>
/// The Win32 calls of the launcher's Windows platform layer, source-generated (<c>[LibraryImport]</c>) so the
/// build stays trim-clean. Tool Help snapshots (tlhelp32.h), job objects (jobapi2.h), console control events.
/// </summary>
[SupportedOSPlatform("windows")]
internal static partial class Kernel32
{
    public const uint Th32csSnapProcess = 0x00000002;
    public const uint JobObjectLimitKillOnJobClose = 0x00002000;
    public const int JobObjectBasicProcessIdListClass = 3;
    public const int JobObjectExtendedLimitInformationClass = 9;
    public const uint CtrlBreakEvent = 1;

    /// <summary>PROCESSENTRY32W: the pid, the parent pid and the executable's file name of one process.</summary>
    [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
    public unsafe struct ProcessEntry32
    {
        public uint Size;
        public uint Usage;
        public uint ProcessId;
        public nuint DefaultHeapId;
        public uint ModuleId;
        public uint Threads;
        public uint ParentProcessId;
        public int PriorityClassBase;
        public uint Flags;
        public fixed char ExeFile[260];
    }

    /// <summary>JOBOBJECT_EXTENDED_LIMIT_INFORMATION (x64 layout), of which only the limit flags are set.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ExtendedLimitInformation
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

    [LibraryImport("kernel32", SetLastError = true)]
    public static partial WindowsHandle CreateToolhelp32Snapshot(uint flags, uint processId);

    [LibraryImport("kernel32", EntryPoint = "Process32FirstW", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool Process32First(WindowsHandle snapshot, ref ProcessEntry32 entry);

    [LibraryImport("kernel32", EntryPoint = "Process32NextW", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool Process32Next(WindowsHandle snapshot, ref ProcessEntry32 entry);

    [LibraryImport("kernel32", EntryPoint = "CreateJobObjectW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    public static partial WindowsHandle CreateJobObject(IntPtr attributes, string? name);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool SetInformationJobObject(WindowsHandle job, int infoClass, ref ExtendedLimitInformation info, uint length);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool AssignProcessToJobObject(WindowsHandle job, WindowsHandle process);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool TerminateJobObject(WindowsHandle job, uint exitCode);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static unsafe partial bool QueryInformationJobObject(WindowsHandle job, int infoClass, void* info, uint length, out uint returnLength);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool IsProcessInJob(WindowsHandle process, WindowsHandle job, [MarshalAs(UnmanagedType.Bool)] out bool result);

    [LibraryImport("ntdll")]
    public static unsafe partial int NtQueryInformationProcess(WindowsHandle process, int infoClass, void* info, uint length, out uint returnLength);
}
