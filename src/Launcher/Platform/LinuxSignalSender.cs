using System.Runtime.Versioning;
using Launcher.Agent.Platform;

namespace Launcher.Platform;

/// <summary>
/// Identity-checked signals through the one sender the worker agent uses as well (<see cref="IdentitySignal"/>:
/// <c>pidfd_open(2)</c>, start-ticks check, <c>pidfd_send_signal(2)</c>).
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class LinuxSignalSender : ISignalSender
{
    public bool IsRaceFree => IdentitySignal.IsRaceFree();

    public bool Send(ProcessIdentity target, Signal signal) => IdentitySignal.Send(target.Pid, target.StartTicks, (int)signal);
}
