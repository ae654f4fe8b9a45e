using Launcher.Exceptions;
using Launcher.Supervise;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>
/// Issue 9: a worker slot as a state machine, driven by fake workers and a fake clock (no processes, no sleeps):
/// crash -> backoff -> replacement, crash loops, hang detection, silent and unspawnable replacements, no-restart,
/// and the stop's one report per worker.
/// </summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class WorkerSlotStateTests
{
    private static readonly TimeSpan Interval = SlotHarness.Policy.PingInterval;

    [Test]
    public async Task A_crashed_worker_is_reported_as_crashed_and_replaced_only_after_its_backoff()
    {
        // Arrange
        using var harness = new SlotHarness();
        var slot = harness.NewSlot();
        var loop = await harness.StartAsync(slot);
        var first = harness.Workers.Started.Single();
        var timers = harness.Time.TimersCreated;

        // Act: it exits 3; the first backoff is 1 s ±20%.
        harness.Workers.Exit(first, 3);
        await harness.AdvanceOnceArmedAsync(slot, SlotState.BackingOff, timers, TimeSpan.FromSeconds(0.7));
        var startedEarly = harness.Workers.Started.Count;
        harness.Time.Advance(TimeSpan.FromSeconds(0.6));
        await Until.TrueAsync(() => slot.State == SlotState.Running && harness.Workers.Started.Count == 2, "a replacement runs");

        // Assert
        var end = harness.Workers.Ends.Single();
        Assert.Multiple(() =>
        {
            Assert.That(startedEarly, Is.EqualTo(1), "no replacement before 0.8 s");
            Assert.That(end.Reason, Is.EqualTo(ExitReason.Crashed));
            Assert.That(end.Exit.ExitCode, Is.EqualTo(3));
            Assert.That(end.Worker, Is.SameAs(first));
            Assert.That(slot.Current, Is.SameAs(harness.Workers.Started[1]));
            Assert.That(slot.Restarts, Is.EqualTo(1));
            Assert.That(loop.IsCompleted, Is.False, "the slot keeps supervising");
            Assert.That(harness.Events.Snapshot().Select(e => e.Kind), Is.EqualTo(new[]
            {
                RunEventKind.WorkerStarted, RunEventKind.WorkerStarted, RunEventKind.WorkerRestarted,
            }), "the end itself is recorded by the end reporter, not the slot");
        });
    }

    [Test]
    public async Task Five_crashes_within_the_window_end_the_slot_with_a_crash_loop()
    {
        // Arrange
        using var harness = new SlotHarness();
        var slot = harness.NewSlot();
        var loop = await harness.StartAsync(slot);

        // Act: four crashes, each followed by its backoff (1, 2, 4, 8 s, at most +20%), then a fifth.
        for (var crash = 0; crash < 4; crash++)
        {
            var timers = harness.Time.TimersCreated;
            harness.Workers.Exit(slot.Current!, 1);
            await harness.AdvanceOnceArmedAsync(slot, SlotState.BackingOff, timers, TimeSpan.FromSeconds(1.2 * Math.Pow(2, crash)));
            await Until.TrueAsync(() => slot.State == SlotState.Running, $"replacement {crash + 1} runs");
        }

        harness.Workers.Exit(slot.Current!, 1);
        var thrown = Assert.ThrowsAsync<CrashLoopException>(async () => await loop);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(thrown!.Message, Does.StartWith("crash loop: worker slot #0 had 5 unexpected exits within 120 s"));
            Assert.That(slot.State, Is.EqualTo(SlotState.Ended));
            Assert.That(slot.Current, Is.Null, "the last worker was reported");
            Assert.That(harness.Workers.Ends, Has.Count.EqualTo(5).And.All.Matches<(int, Spawn.RunningWorker, Spawn.WorkerExit, string Reason)>(e => e.Reason == ExitReason.Crashed));
            Assert.That(slot.RequestReplacementAsync().Result, Is.False, "an ended slot refuses a rolling restart");
        });
    }

    [Test]
    public async Task A_worker_that_misses_the_ping_limit_is_killed_as_hung_and_replaced()
    {
        // Arrange: the first worker never answers a ping.
        using var harness = new SlotHarness();
        var slot = harness.NewSlot();
        var loop = await harness.StartAsync(slot);
        var first = harness.Workers.Started.Single();
        harness.Workers.Answers = worker => worker != first;

        // Act: three ping intervals pass.
        for (var ping = 1; ping <= 3; ping++)
        {
            harness.Time.Advance(Interval);
            var expected = ping;
            await Until.TrueAsync(() => harness.Workers.Pings >= expected, $"ping {expected}");
        }

        await Until.TrueAsync(() => slot.State == SlotState.BackingOff, "backing off after the hang");

        // Assert
        var end = harness.Workers.Ends.Single();
        Assert.Multiple(() =>
        {
            Assert.That(end.Reason, Is.EqualTo(ExitReason.Hung));
            Assert.That(harness.Workers.StoppedPids, Is.EqualTo(new[] { first.Pid }), "its tree was stopped");
            Assert.That(harness.Events.Snapshot().Any(e => e.Kind == RunEventKind.WorkerHung && e.Pid == first.Pid), Is.True);
            Assert.That(loop.IsCompleted, Is.False);
        });
    }

    [Test]
    public async Task Under_debug_a_worker_that_never_answers_is_not_killed()
    {
        // Arrange: --debug's policy (a worker paused at a breakpoint answers nothing).
        using var harness = new SlotHarness();
        var slot = harness.NewSlot(policy: SlotHarness.Policy with { KillHung = false, Restart = false, NoRestartReason = "--debug" });
        var loop = await harness.StartAsync(slot);
        harness.Workers.Answers = _ => false;

        // Act: ten intervals, far past the limit of three.
        for (var ping = 1; ping <= 10; ping++)
        {
            harness.Time.Advance(Interval);
            var expected = ping;
            await Until.TrueAsync(() => harness.Workers.Pings >= expected, $"ping {expected}");
        }

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(slot.State, Is.EqualTo(SlotState.Running));
            Assert.That(harness.Workers.StoppedPids, Is.Empty);
            Assert.That(harness.Workers.Ends, Is.Empty);
            Assert.That(loop.IsCompleted, Is.False);
        });
    }

    [Test]
    public async Task A_replacement_that_cannot_be_spawned_counts_as_a_crash_and_is_tried_again()
    {
        // Arrange
        using var harness = new SlotHarness();
        var slot = harness.NewSlot();
        await harness.StartAsync(slot);
        harness.Workers.SpawnError = _ => "working directory is gone";

        // Act: crash; the first retry cannot spawn; the second can.
        var timers = harness.Time.TimersCreated;
        harness.Workers.Exit(slot.Current!, 1);
        await harness.AdvanceOnceArmedAsync(slot, SlotState.BackingOff, timers, TimeSpan.FromSeconds(1.2));
        await Until.TrueAsync(() => harness.Time.TimersCreated > timers + 1 && slot.State == SlotState.BackingOff, "backing off again after the failed spawn");
        harness.Workers.SpawnError = _ => null;
        harness.Time.Advance(TimeSpan.FromSeconds(2.4));
        await Until.TrueAsync(() => slot.State == SlotState.Running, "the second retry runs");

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(harness.Workers.Started, Has.Count.EqualTo(2), "one crashed worker, one replacement");
            Assert.That(harness.Workers.Ends, Has.Count.EqualTo(1), "a spawn that failed has no worker to report");
            Assert.That(slot.Restarts, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_replacement_that_never_answers_is_killed_and_reported_as_hung()
    {
        // Arrange: the first replacement runs but never answers.
        using var harness = new SlotHarness();
        var slot = harness.NewSlot();
        await harness.StartAsync(slot);
        harness.Workers.AnswersWhenStarted = worker => !ReferenceEquals(harness.Workers.Started.ElementAtOrDefault(1), worker);

        // Act
        var timers = harness.Time.TimersCreated;
        harness.Workers.Exit(slot.Current!, 1);
        await harness.AdvanceOnceArmedAsync(slot, SlotState.BackingOff, timers, TimeSpan.FromSeconds(1.2));
        await harness.AdvanceOnceArmedAsync(slot, SlotState.Starting, timers + 1, SlotHarness.Policy.StartTimeout);
        await Until.TrueAsync(() => harness.Workers.Ends.Count == 2, "the silent replacement is reported");

        // Assert
        var silent = harness.Workers.Started[1];
        Assert.Multiple(() =>
        {
            Assert.That(harness.Workers.Ends[1].Worker, Is.SameAs(silent));
            Assert.That(harness.Workers.Ends[1].Reason, Is.EqualTo(ExitReason.Hung));
            Assert.That(harness.Workers.StoppedPids, Does.Contain(silent.Pid), "it was killed, not left running");
        });
    }

    [Test]
    public async Task With_restart_disabled_an_ended_worker_leaves_the_slot_ended()
    {
        // Arrange
        using var harness = new SlotHarness();
        var slot = harness.NewSlot(policy: SlotHarness.Policy with { Restart = false });
        var loop = await harness.StartAsync(slot);
        var first = harness.Workers.Started.Single();

        // Act
        harness.Workers.Exit(first, 0);
        await loop;

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(slot.State, Is.EqualTo(SlotState.Ended));
            Assert.That(slot.LastEnd?.Worker, Is.SameAs(first));
            Assert.That(slot.LastEnd?.Exit.ExitCode, Is.EqualTo(0));
            Assert.That(harness.Workers.Started, Has.Count.EqualTo(1), "no replacement");
            Assert.That(slot.BeginStop(), Is.Null, "nothing left to stop");
        });
    }

    [Test]
    public async Task The_stop_reports_a_running_worker_once_as_stopped()
    {
        // Arrange
        using var harness = new SlotHarness();
        var slot = harness.NewSlot();
        var loop = await harness.StartAsync(slot);
        var first = harness.Workers.Started.Single();

        // Act: the supervisor's stop: cancel the loop, then Stopping, one shared kill, reports.
        await harness.Stopping.CancelAsync();
        await loop;
        var target = slot.BeginStop();
        await harness.Workers.StopTreesAsync([target!]);
        await slot.FinishStopAsync();
        await slot.FinishStopAsync();

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(target, Is.SameAs(first));
            Assert.That(harness.Workers.Ends.Select(e => (e.Worker, e.Reason)), Is.EqualTo(new[] { (first, ExitReason.Stopped) }));
            Assert.That(slot.State, Is.EqualTo(SlotState.Ended));
        });
    }

    [Test]
    public async Task A_slot_backing_off_at_the_stop_does_not_report_its_crashed_worker_again()
    {
        // Arrange: a crash, and the stop during its backoff.
        using var harness = new SlotHarness();
        var slot = harness.NewSlot();
        var loop = await harness.StartAsync(slot);
        var timers = harness.Time.TimersCreated;
        harness.Workers.Exit(slot.Current!, 1);
        await Until.TrueAsync(() => slot.State == SlotState.BackingOff && harness.Time.TimersCreated > timers, "backing off");

        // Act
        await harness.Stopping.CancelAsync();
        Assert.That(async () => await loop, Throws.InstanceOf<OperationCanceledException>());
        var target = slot.BeginStop();
        await slot.FinishStopAsync();

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(target, Is.Null, "no worker runs in a slot that is backing off");
            Assert.That(harness.Workers.Ends.Select(e => e.Reason), Is.EqualTo(new[] { ExitReason.Crashed }), "reported once, as crashed");
            Assert.That(harness.Workers.Started, Has.Count.EqualTo(1), "no replacement after the stop");
            Assert.That(slot.State, Is.EqualTo(SlotState.Ended));
        });
    }
}
