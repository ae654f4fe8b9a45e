namespace Launcher.Tests.Support;

/// <summary>
/// One worker named in the ready line: its node name, its pid as the test sees it (<see cref="Pid"/>, for
/// probes and signals) and as the launcher sees it (<see cref="PidInside"/>, the number in the node name, the
/// log name and the registration; the same unless the sandbox has a pid namespace), and its log file.
/// </summary>
internal sealed record RunWorker(string Node, int Pid, int PidInside, string LogFile)
{
    /// <summary>The worker as a process identity (pid + start ticks), for "is it still this very process".</summary>
    public Identity Identity { get; } = Identity.Of(Pid);
}
