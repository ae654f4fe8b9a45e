using System.Runtime.InteropServices;

namespace Launcher.Supervise;

/// <summary>struct timespec on 64-bit Linux, as clock_gettime(2) fills it for <see cref="MonotonicClock"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MonotonicTimeSpec
{
    public long Seconds;
    public long Nanoseconds;
}
