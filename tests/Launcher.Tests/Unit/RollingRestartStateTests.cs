using Launcher.Supervise;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>
/// Issue 9: SIGHUP's rolling restart over real worker slots with fake workers and a fake clock: one slot at a
/// time, and a replacement that does not answer ends the round with the other workers untouched.
/// </summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class RollingRestartStateTests
{
    [Test]
    public async Task A_round_replaces_each_worker_in_turn_after_the_previous_replacement_answers()
    {
        // Arrange: two running slots.
        using var harness = new SlotHarness();
        var slots = new[] { harness.NewSlot(0), harness.NewSlot(1) };
        foreach (var slot in slots)
            await harness.StartAsync(slot);
        var before = harness.Workers.Started.ToList();
        var rounds = 0;
        var rolling = new RollingRestart(slots, () => rounds++, NullLogger.Instance);

        // Act
        await rolling.QueueRound(harness.Stopping.Token);

        // Assert: stop 1st, start its replacement, then stop 2nd, start its replacement.
        var started = harness.Workers.Started;
        Assert.Multiple(() =>
        {
            Assert.That(harness.Workers.Ends.Select(e => (e.Worker, e.Reason)), Is.EqualTo(new[] { (before[0], ExitReason.Stopped), (before[1], ExitReason.Stopped) }));
            Assert.That(started.Select(w => w.Index), Is.EqualTo(new[] { 0, 1, 0, 1 }), "slot 0's replacement starts before slot 1 is touched");
            Assert.That(slots.Select(s => s.Current), Is.EqualTo(new[] { started[2], started[3] }));
            Assert.That(slots.Select(s => s.State), Is.All.EqualTo(SlotState.Running));
            Assert.That(slots.Select(s => s.Restarts), Is.All.EqualTo(1));
            Assert.That(rounds, Is.EqualTo(1), "the status is published after the round");
        });
    }

    [Test]
    public async Task A_replacement_that_does_not_answer_ends_the_round_and_leaves_the_others_alone()
    {
        // Arrange: slot 0's replacement will never answer.
        using var harness = new SlotHarness();
        var slots = new[] { harness.NewSlot(0), harness.NewSlot(1) };
        foreach (var slot in slots)
            await harness.StartAsync(slot);
        var before = harness.Workers.Started.ToList();
        harness.Workers.AnswersWhenStarted = worker => before.Contains(worker);
        var rolling = new RollingRestart(slots, () => { }, NullLogger.Instance);

        // Act
        var timers = harness.Time.TimersCreated;
        var round = rolling.QueueRound(harness.Stopping.Token);
        await harness.AdvanceOnceArmedAsync(slots[0], SlotState.Starting, timers, SlotHarness.Policy.StartTimeout);
        await round;

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(harness.Workers.StoppedPids, Does.Not.Contain(before[1].Pid), "slot 1 keeps its worker");
            Assert.That(slots[1].Current, Is.SameAs(before[1]));
            Assert.That(harness.Workers.Started.Count(w => w.Index == 1), Is.EqualTo(1));
        });
    }
}
