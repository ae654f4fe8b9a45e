using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, "the launcher does not notice its watchdog dying": it does now, says so, and starts a new one, which
/// then does the old one's job when the launcher is SIGKILLed.
/// </summary>
[TestFixture]
public sealed class WatchdogKeeperTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Test, CancelAfter(90_000)]
    public async Task A_killed_watchdog_is_noticed_and_replaced_and_the_replacement_still_ends_the_workers(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = await ContainmentSandbox.CreateAsync(cancellationToken);
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        await launcher.WaitForLineAsync("ready:", StartDeadline, cancellationToken);
        var first = Supervision.Watchdog(launcher.Pid);
        Assert.That(first, Is.Not.Null, "the launcher runs a watchdog");
        sandbox.Processes.Track(first!.Value);
        var workers = ProcessProbe.PidsWithMarker(sandbox.Instance);
        foreach (var pid in workers)
            sandbox.Processes.Track(pid);

        // Act
        ProcessProbe.Signal(first.Value, Signals.SIGKILL);

        // Assert
        var died = await launcher.WaitForLineAsync("The watchdog (pid", Deadline, cancellationToken);
        int? second = null;
        await Eventually.TrueAsync(() => (second = Supervision.Watchdog(launcher.Pid)) is { } pid && pid != first.Value,
            Deadline, "a new watchdog runs", cancellationToken);
        sandbox.Processes.Track(second!.Value);
        launcher.Signal(Signals.SIGKILL);
        await Eventually.TrueAsync(() => !workers.Any(ProcessProbe.IsAlive), Deadline, "the new watchdog ended the workers", cancellationToken);
        await Eventually.TrueAsync(() => !ProcessProbe.IsAlive(second.Value), Deadline, "the new watchdog exits after its sweep", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(died, Does.Contain("died").And.Contain("restarting it"));
            Assert.That(workers, Is.Not.Empty);
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }
}
