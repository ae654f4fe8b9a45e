using System.Diagnostics;

namespace Launcher.Tests.Unit;

/// <summary>
/// Waits (real time, bounded) for a condition that other tasks make true: the code under test runs its
/// continuations on the thread pool even when its clock is fake.
/// </summary>
internal static class Until
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > Deadline)
                throw new TimeoutException($"not within {Deadline.TotalSeconds:F0} s: {what}");
            await Task.Delay(1);
        }
    }
}
