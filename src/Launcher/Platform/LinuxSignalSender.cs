using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Launcher.Platform;

/// <summary>
/// Identity-checked signals. With <c>pidfd_open(2)</c> the check is race-free: the descriptor pins the
/// process, so if the start time read after opening it matches, the signal reaches exactly that process.
/// Kernels before 5.3 fall back to check-then-<c>kill(2)</c>.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class LinuxSignalSender(IProcessTable table) : ISignalSender
{
    public bool Send(ProcessIdentity target, Signal signal)
    {
        var pidFd = LibC.PidFdOpen(target.Pid);
        if (pidFd < 0)
        {
            if (Marshal.GetLastPInvokeError() != LibC.ENOSYS)
                return false; // gone
            return table.ReadStartTicks(target.Pid) == target.StartTicks && LibC.Kill(target.Pid, (int)signal) == 0;
        }

        try
        {
            return table.ReadStartTicks(target.Pid) == target.StartTicks
                && LibC.PidFdSendSignal(pidFd, (int)signal) == 0;
        }
        finally
        {
            _ = LibC.Close(pidFd);
        }
    }
}
