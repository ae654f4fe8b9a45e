using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Launcher.Agent.Platform;

namespace Launcher.Platform.Windows;

/// <summary>
/// The process table from a Tool Help snapshot (<c>CreateToolhelp32Snapshot</c>: pids and parent pids), with the
/// creation time (<c>GetProcessTimes</c>) as start ticks, the owner from the access token and the command line from
/// <c>NtQueryInformationProcess(ProcessCommandLineInformation)</c>. Windows keeps no readable start-up environment
/// of another process behind a supported API, so <see cref="ReadMarkers"/> finds none: strays are recognised by
/// registrations and corroborated command-line patterns instead (docs/ARCHITECTURE.md, "Windows").
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsProcessTable : IProcessTable
{
    /// <summary>Every process of this user reads as this id (Windows has SIDs, not numeric ids).</summary>
    public const int SameUser = -1;

    /// <summary>A process of another user, or one whose owner cannot be read.</summary>
    public const int OtherUser = -2;

    private const int ProcessCommandLineInformation = 60;
    private readonly byte[]? _ownSid;

    public WindowsProcessTable()
    {
        using var self = WindowsProcesses.Open(Environment.ProcessId, WindowsProcesses.ProcessQueryLimitedInformation);
        _ownSid = self is null ? null : Advapi32.UserSid(self);
    }

    public int CurrentUserId => SameUser;

    public IReadOnlyList<ProcessInfo> Snapshot()
    {
        var rows = new List<ProcessInfo>(256);
        foreach (var (pid, parent) in Entries())
        {
            if (Read(pid, parent) is { } row)
                rows.Add(row);
        }

        return rows;
    }

    public ProcessInfo? Get(int pid)
    {
        foreach (var (entryPid, parent) in Entries())
        {
            if (entryPid == pid)
                return Read(pid, parent);
        }

        return null;
    }

    public ulong? ReadStartTicks(int pid) => WindowsProcesses.ReadCreationTime(pid);

    // No supported API reads another process's environment (only its PEB through ReadProcessMemory).
    public string? ReadEnvironmentVariable(int pid, string name) =>
        pid == Environment.ProcessId ? Environment.GetEnvironmentVariable(name) : null;

    public string? ReadExecutablePath(int pid)
    {
        using var handle = WindowsProcesses.Open(pid, WindowsProcesses.ProcessQueryLimitedInformation);
        return handle is null ? null : QueryImage.PathOf(handle);
    }

    public string? ReadWorkingDirectory(int pid) => pid == Environment.ProcessId ? Environment.CurrentDirectory : null;

    // A FileShare.None open names no holder; the launcher's holder file, its identity and its executable are the
    // proof on Windows, and a lock file that a new exclusive open cannot take shows somebody holds it.
    public bool HoldsWriteFlock(int pid, ulong inode) => true;

    public ProcessMarkers ReadMarkers(int pid) => pid != Environment.ProcessId
        ? ProcessMarkers.None
        : new ProcessMarkers(
            Environment.GetEnvironmentVariable(Agent.Protocol.EnvironmentNames.Instance),
            Environment.GetEnvironmentVariable(Agent.Protocol.EnvironmentNames.Node),
            Environment.GetEnvironmentVariable(Agent.Protocol.EnvironmentNames.Guard),
            Environment.GetEnvironmentVariable(ProcessMarkers.RoleVariable));

    public DateTimeOffset StartTimeOf(ulong startTicks) => DateTimeOffset.FromFileTime((long)startTicks);

    public bool IsAlive(ProcessIdentity identity) => WindowsProcesses.IsRunning(identity.Pid, identity.StartTicks);

    private static unsafe List<(int Pid, int Parent)> Entries()
    {
        var entries = new List<(int, int)>(256);
        using var snapshot = Kernel32.CreateToolhelp32Snapshot(Kernel32.Th32csSnapProcess, 0);
        if (snapshot.IsInvalid)
            return entries;
        var entry = new Kernel32.ProcessEntry32 { Size = (uint)sizeof(Kernel32.ProcessEntry32) };
        for (var more = Kernel32.Process32First(snapshot, ref entry); more; more = Kernel32.Process32Next(snapshot, ref entry))
            entries.Add(((int)entry.ProcessId, (int)entry.ParentProcessId));
        return entries;
    }

    private ProcessInfo? Read(int pid, int parent)
    {
        using var handle = WindowsProcesses.Open(pid, WindowsProcesses.ProcessQueryLimitedInformation);
        if (handle is null || WindowsProcesses.CreationTime(handle) is not { } created || !WindowsProcesses.HasNotExited(handle))
            return null;
        var sid = Advapi32.UserSid(handle);
        var owner = sid is not null && _ownSid is not null && sid.AsSpan().SequenceEqual(_ownSid) ? SameUser : OtherUser;
        var commandLine = (CommandLine(handle) ?? PebCommandLine.Read(pid)) is { } text ? WindowsCommandLine.Split(text) : QueryImage.PathOf(handle) is { } image ? [image] : [];
        return new ProcessInfo(new ProcessIdentity(pid, created), parent, owner, 'R', commandLine);
    }

    private static unsafe string? CommandLine(WindowsHandle handle)
    {
        // UNICODE_STRING { ushort Length; ushort MaximumLength; char* Buffer } followed by the text.
        const int Size = 32 * 1024 * 2 + 64;
        var buffer = NativeMemory.Alloc(Size);
        try
        {
            if (Kernel32.NtQueryInformationProcess(handle, ProcessCommandLineInformation, buffer, Size, out _) != 0)
                return null;
            var length = *(ushort*)buffer;
            var text = *(char**)((byte*)buffer + 8);
            return text == null ? null : new string(text, 0, length / 2);
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }
}
