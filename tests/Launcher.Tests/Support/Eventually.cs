using NUnit.Framework;

namespace Launcher.Tests.Support;

/// <summary>
/// The one allowed way to wait on a state nobody announces (a pid gone, a file written): poll a condition
/// every 50 ms until a deadline, then fail the test with the reason.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Returns as soon as <paramref name="condition"/> holds; fails with <paramref name="because"/> at the deadline.</summary>
    public static Task TrueAsync(Func<bool> condition, TimeSpan deadline, string because, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return TrueAsync(() => Task.FromResult(condition()), deadline, because, cancellationToken);
    }

    /// <summary>The same for an asynchronous condition (a ping, a CLI call).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan deadline, string because, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            // Checked once more after the deadline passes, so a slow last poll still counts.
            var expired = DateTime.UtcNow >= until;
            if (await condition())
                return;
            if (expired)
                Assert.Fail($"not true within {deadline.TotalSeconds:0.###} s: {because}");

            await Task.Delay(Interval, cancellationToken);
        }
    }
}
