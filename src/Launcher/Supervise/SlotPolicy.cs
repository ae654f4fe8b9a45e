namespace Launcher.Supervise;

/// <summary>The part of the effective spec a worker slot acts on (a plain record, so tests build it directly).</summary>
internal sealed record SlotPolicy(
    TimeSpan StartTimeout,
    TimeSpan PingInterval,
    int MissedPingLimit,
    bool KillHung,
    bool Restart,
    string NoRestartReason,
    int CrashLoopCount,
    TimeSpan CrashLoopWindow)
{
    public static SlotPolicy From(EffectiveSpec effective)
    {
        var spec = effective.Spec;
        return new SlotPolicy(
            spec.StartTimeout,
            spec.Ping.Interval,
            spec.Ping.MissedLimit,
            effective.KillHung,
            spec.Restart.Enabled,
            effective.NoRestartReason,
            spec.Restart.CrashLoopCount,
            spec.Restart.CrashLoopWindow);
    }
}
