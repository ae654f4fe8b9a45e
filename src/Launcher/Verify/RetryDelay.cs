namespace Launcher.Verify;

/// <summary>
/// How long verification waits between looks when nothing wakes it sooner: from <see cref="First"/>, doubling up to
/// <see cref="Longest"/>. With the registration watch, a worker's registration or exit wakes it at once and this is
/// only the safety net; with <c>ping.command</c> (Celery, RQ: nothing to watch) it paces the pings, so a worker that
/// takes 8 s to start costs about 12 pings, not 80.
/// </summary>
internal sealed class RetryDelay
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(1);

    private TimeSpan _next = First;

    /// <summary>The next wait; each call doubles the one after it, up to <see cref="Longest"/>.</summary>
    public TimeSpan Next()
    {
        var current = _next;
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, Longest.Ticks));
        return current;
    }
}
