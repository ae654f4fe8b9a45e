using System.Runtime.InteropServices;

namespace Launcher.Agent.Platform;

/// <summary>
/// Signals by identity (pid + start ticks), never by bare pid, for the agent and the launcher alike. With
/// <c>pidfd_open(2)</c> the check is race-free: the descriptor pins the process, so if the start ticks read after
/// opening it match, the signal reaches exactly that process. Kernels before 5.3 fall back to check-then-<c>kill(2)</c>.
/// </summary>
internal static class IdentitySignal
{
    /// <summary>SIGTERM's number on Linux.</summary>
    public const int Terminate = 15;

    /// <summary>
    /// Sends <paramref name="signal"/> if <paramref name="pid"/> still has <paramref name="startTicks"/>; false (and
    /// nothing sent) when it is gone or its pid now belongs to another process.
    /// </summary>
    public static bool Send(int pid, ulong startTicks, int signal)
    {
        if (OperatingSystem.IsWindows())
            return false; // no signals; the launcher's Platform/Windows stops workers through the agent's socket
        var pidFd = Syscalls.PidFdOpen(pid);
        if (pidFd < 0)
        {
            if (Marshal.GetLastPInvokeError() != Syscalls.ENOSYS)
                return false; // gone
            return ProcStat.Read(pid)?.StartTicks == startTicks && Syscalls.Kill(pid, signal) == 0;
        }

        try
        {
            return ProcStat.Read(pid)?.StartTicks == startTicks && Syscalls.PidFdSendSignal(pidFd, signal) == 0;
        }
        finally
        {
            _ = Syscalls.Close(pidFd);
        }
    }

    /// <summary>True when this kernel pins processes for signals (<c>pidfd_open(2)</c>, Linux 5.3 and later).</summary>
    public static bool IsRaceFree()
    {
        var pidFd = Syscalls.PidFdOpen(Environment.ProcessId);
        if (pidFd < 0)
            return false;
        _ = Syscalls.Close(pidFd);
        return true;
    }
}
