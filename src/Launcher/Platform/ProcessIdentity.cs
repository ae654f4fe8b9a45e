namespace Launcher.Platform;

/// <summary>
/// Who a process is: pid plus kernel start time. A pid alone may by now belong to someone else; the pair
/// never does within one boot. Never compare <c>Process.StartTime</c> instead: it drifts between reads.
/// </summary>
internal readonly record struct ProcessIdentity(int Pid, ulong StartTicks)
{
    public override string ToString() => $"{Pid}@{StartTicks}";
}
