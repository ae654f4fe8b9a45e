using Microsoft.Extensions.Time.Testing;

namespace Launcher.Tests.Unit;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the timers created on it, so a test can wait until the code under
/// test has armed its delay (a backoff, a ping interval) before it advances the clock: deterministic, no sleeping.
/// </summary>
internal sealed class ObservedTime : FakeTimeProvider
{
    private int _created;

    public ObservedTime()
        : base(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public int TimersCreated => Volatile.Read(ref _created);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _created);
        return timer;
    }
}
