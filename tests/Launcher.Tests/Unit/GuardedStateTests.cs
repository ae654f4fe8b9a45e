using Launcher.Supervise;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>The transition guard under the run's phase and the slots' states: one winner per move, refusals thrown.</summary>
[TestFixture]
public sealed class GuardedStateTests
{
    [Test]
    public void Of_many_threads_leaving_the_same_state_exactly_one_succeeds()
    {
        // Arrange: Running may become Stopping once; Stopping may not become Stopping again.
        var state = new GuardedState<SlotState>(SlotState.Running, SlotStateMachine.IsAllowed);
        using var start = new Barrier(8);

        // Act
        var outcomes = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            try
            {
                state.MoveTo(SlotState.Stopping, from => $"not from {from}");
                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        })).ToArray();
        Task.WaitAll(outcomes);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(outcomes.Count(o => o.Result), Is.EqualTo(1));
            Assert.That(state.Current, Is.EqualTo(SlotState.Stopping));
        });
    }

    [Test]
    public void A_refused_move_throws_the_refusal_for_the_state_it_was_in_and_changes_nothing()
    {
        var state = new GuardedState<RunPhase>(RunPhase.Stopped, RunPhaseMachine.IsAllowed);

        var refused = Assert.Throws<InvalidOperationException>(() => state.MoveTo(RunPhase.Starting, from => $"cannot leave {from}"));

        Assert.Multiple(() =>
        {
            Assert.That(refused!.Message, Is.EqualTo("cannot leave Stopped"));
            Assert.That(state.Current, Is.EqualTo(RunPhase.Stopped));
        });
    }
}
