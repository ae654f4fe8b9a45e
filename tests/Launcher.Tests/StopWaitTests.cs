using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, "launcher stop gives up before the launcher's own hook timeout": stop waits for the stop grace plus the
/// exit hook's timeout (plus a margin), says that it is still waiting, and reports the clean stop as success.
/// </summary>
[TestFixture]
public sealed class StopWaitTests
{
    [Test, CancelAfter(240_000)]
    public async Task Stop_waits_for_an_exit_hook_that_takes_longer_than_grace_plus_thirty_seconds_and_says_it_is_waiting(CancellationToken cancellationToken)
    {
        // Arrange: a 1 s grace, and an exit hook that takes 34 s of its allowed 90 s (beyond the old 1 + 30 s wait).
        await using var sandbox = new Sandbox();
        var config = new LauncherConfig
        {
            Command = ["/bin/sleep", "600"],
            Ping = new { command = new[] { "/bin/echo", "{node}" } },
            StopGraceSeconds = 1,
            OnWorkerExit = new { command = new[] { "/bin/sleep", "34" }, timeoutSeconds = 90 },
        };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        run.Observe();

        // Act
        var stop = await LauncherCli.RunAsync(sandbox, ["stop"], TimeSpan.FromSeconds(200), cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(stop.ExitCode, Is.EqualTo(0), stop.ToString());
            Assert.That(stop.Stdout, Does.Contain("still stopping launcher pid"), "progress while it waits");
            Assert.That(stop.Stdout, Does.Contain("stopped"));
            Assert.That(run.Process.HasExited, Is.True);
            Assert.That(run.Survivors(), Is.Empty);
        });
    }
}
