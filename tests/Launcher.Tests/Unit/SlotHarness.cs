using Launcher.Config;
using Launcher.Supervise;
using Microsoft.Extensions.Logging.Abstractions;

namespace Launcher.Tests.Unit;

/// <summary>Worker slots wired to <see cref="FakeWorkers"/> and an <see cref="ObservedTime"/>: no processes, no sleeps.</summary>
internal sealed class SlotHarness : IDisposable
{
    public static readonly RestartSpec Restart = new(
        Enabled: true,
        InitialDelay: TimeSpan.FromSeconds(1),
        MaxDelay: TimeSpan.FromSeconds(60),
        ResetAfter: TimeSpan.FromSeconds(30),
        CrashLoopCount: 5,
        CrashLoopWindow: TimeSpan.FromSeconds(120));

    public static readonly SlotPolicy Policy = new(
        StartTimeout: TimeSpan.FromSeconds(30),
        PingInterval: TimeSpan.FromSeconds(5),
        MissedPingLimit: 3,
        KillHung: true,
        Restart: true,
        NoRestartReason: "restart.enabled=false",
        CrashLoopCount: Restart.CrashLoopCount,
        CrashLoopWindow: Restart.CrashLoopWindow);

    public SlotHarness()
    {
        Workers = new FakeWorkers(Time);
        Events = new RunEvents(Time);
    }

    public ObservedTime Time { get; } = new();

    public FakeWorkers Workers { get; }

    public RunEvents Events { get; }

    public CancellationTokenSource Stopping { get; } = new();

    public WorkerSlot NewSlot(int index = 0, SlotPolicy? policy = null) => new(
        index,
        Workers,
        Workers,
        Workers,
        Workers,
        Time,
        new RestartBackoff(Restart, new Random(4242)),
        new CrashLoopDetector(Time, Restart.CrashLoopCount, Restart.CrashLoopWindow),
        policy ?? Policy,
        Events,
        NullLogger.Instance);

    /// <summary>Starts the slot's first worker and its loop, as the supervisor does after verification.</summary>
    public async Task<Task> StartAsync(WorkerSlot slot)
    {
        await slot.StartAsync();
        return slot.SuperviseAsync(Stopping.Token);
    }

    /// <summary>Waits until the slot has armed a timer after <paramref name="timersBefore"/> and is in <paramref name="state"/>, then advances the clock by <paramref name="by"/>.</summary>
    public async Task AdvanceOnceArmedAsync(WorkerSlot slot, SlotState state, int timersBefore, TimeSpan by)
    {
        await Until.TrueAsync(() => slot.State == state && Time.TimersCreated > timersBefore, $"slot in {state} with its timer armed (now {slot.State})");
        Time.Advance(by);
    }

    public void Dispose()
    {
        Stopping.Cancel();
        Stopping.Dispose();
        Workers.Dispose();
    }
}
