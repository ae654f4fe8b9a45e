using System.Runtime.InteropServices;

namespace Launcher.Supervise;

/// <summary>
/// CLOCK_MONOTONIC in microseconds, for sd_notify's <c>MONOTONIC_USEC=</c> beside <c>RELOADING=1</c>
/// (sd_notify(3): systemd compares it with the time it sent the reload request). clock_gettime(2) directly, so the
/// clock is the one systemd means, not whatever a runtime's timestamp happens to use.
/// </summary>
internal static partial class MonotonicClock
{
    private const int CLOCK_MONOTONIC = 1;

    public static long NowMicroseconds()
    {
        return ClockGetTime(CLOCK_MONOTONIC, out var now) == 0 ? (now.Seconds * 1_000_000) + (now.Nanoseconds / 1_000) : 0;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out MonotonicTimeSpec time);
}
