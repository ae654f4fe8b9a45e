using Launcher.Supervise;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>Issue 9: the run's phases and a slot's states move only along the diagram in docs/ARCHITECTURE.md.</summary>
[TestFixture]
public sealed class SupervisionStateMachineTests
{
    [Test]
    public void A_run_goes_from_starting_through_supervising_and_stopping_to_stopped_and_records_each_move()
    {
        // Arrange
        var events = new RunEvents(new FakeTimeProvider());
        var phase = new RunPhaseMachine(events, NullLogger.Instance);

        // Act
        phase.MoveTo(RunPhase.Supervising);
        phase.MoveTo(RunPhase.Stopping);
        phase.MoveTo(RunPhase.Stopped);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(phase.Current, Is.EqualTo(RunPhase.Stopped));
            Assert.That(events.Snapshot().Select(e => (e.Kind, e.Detail)), Is.EqualTo(new[]
            {
                (RunEventKind.Phase, "Starting to Supervising"),
                (RunEventKind.Phase, "Supervising to Stopping"),
                (RunEventKind.Phase, "Stopping to Stopped"),
            }));
        });
    }

    [Test]
    public void A_run_never_goes_back_to_supervising_once_stopping()
    {
        // Arrange
        var phase = new RunPhaseMachine(new RunEvents(new FakeTimeProvider()), NullLogger.Instance);
        phase.MoveTo(RunPhase.Stopping);

        // Act + Assert
        Assert.Multiple(() =>
        {
            Assert.That(() => phase.MoveTo(RunPhase.Supervising), Throws.InvalidOperationException.With.Message.Contains("Stopping to Supervising"));
            Assert.That(() => phase.MoveTo(RunPhase.Starting), Throws.InvalidOperationException);
            Assert.That(phase.Current, Is.EqualTo(RunPhase.Stopping), "a refused move changes nothing");
        });
    }

    [Test]
    public void A_run_may_stop_before_it_ever_supervised()
    {
        Assert.Multiple(() =>
        {
            Assert.That(RunPhaseMachine.IsAllowed(RunPhase.Starting, RunPhase.Stopping), Is.True, "a failed verification stops from Starting");
            Assert.That(RunPhaseMachine.IsAllowed(RunPhase.Starting, RunPhase.Stopped), Is.False, "but always through Stopping");
            Assert.That(RunPhaseMachine.IsAllowed(RunPhase.Stopped, RunPhase.Stopping), Is.False);
        });
    }

    [TestCase("Starting", "Running")]
    [TestCase("Running", "BackingOff")]
    [TestCase("Running", "Replacing")]
    [TestCase("Replacing", "Starting")]
    [TestCase("BackingOff", "Starting")]
    [TestCase("BackingOff", "Ended")]
    [TestCase("Starting", "BackingOff")]
    [TestCase("Replacing", "Stopping")]
    [TestCase("Stopping", "Ended")]
    public void A_slot_may_make_the_moves_of_the_diagram(string from, string to) =>
        Assert.That(SlotStateMachine.IsAllowed(Enum.Parse<SlotState>(from), Enum.Parse<SlotState>(to)), Is.True);

    [TestCase("Ended", "Starting")]
    [TestCase("Ended", "Stopping")]
    [TestCase("Stopping", "Running")]
    [TestCase("Stopping", "Stopping")]
    [TestCase("BackingOff", "Running")]
    [TestCase("Replacing", "Running")]
    [TestCase("Running", "Starting")]
    public void A_slot_refuses_moves_that_are_not_in_the_diagram(string from, string to) =>
        Assert.That(SlotStateMachine.IsAllowed(Enum.Parse<SlotState>(from), Enum.Parse<SlotState>(to)), Is.False);

    [Test]
    public void An_impossible_slot_move_throws_and_names_the_slot()
    {
        // Arrange
        var slot = new SlotStateMachine(2, NullLogger.Instance);

        // Act + Assert: a slot that is starting cannot be replaced.
        Assert.Multiple(() =>
        {
            Assert.That(() => slot.MoveTo(SlotState.Replacing, "test"), Throws.InvalidOperationException.With.Message.Contains("worker slot #2 cannot move from Starting to Replacing"));
            Assert.That(slot.Current, Is.EqualTo(SlotState.Starting));
        });
    }
}
