using System.Text.RegularExpressions;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, "also decide and fix": two launchers of one instance started together from different runtime
/// directories (an IDE's XDG_RUNTIME_DIR and a terminal's) both failed verification, so nothing ran. Exactly one
/// must win: the per-user, per-instance abstract socket name decides, and the loser exits 3 naming the winner.
/// </summary>
[TestFixture]
public sealed partial class RacingLaunchersTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);
    private const int Rounds = 5;

    [Test, CancelAfter(300_000)]
    public async Task Two_launchers_of_one_instance_started_at_once_from_different_runtime_dirs_leave_exactly_one_running_and_the_other_exits_3_naming_it(CancellationToken cancellationToken)
    {
        // Arrange: one config (one instance), two runtime directories.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        var otherRuntimeDir = Directory.CreateDirectory(Path.Combine(sandbox.Dir, "other-runtime")).FullName;

        for (var round = 1; round <= Rounds; round++)
        {
            // Act: both at once.
            await using var terminal = LauncherProcess.Start(sandbox, ["run"]);
            await using var ide = LauncherProcess.Start(sandbox, ["run"], environment: new Dictionary<string, string?> { [EnvironmentNames.RuntimeDir] = otherRuntimeDir });
            await Eventually.TrueAsync(() => terminal.HasExited || ide.HasExited, StartDeadline, $"round {round}: one of the two launchers gave up", cancellationToken);
            var (loser, winner) = terminal.HasExited ? (terminal, ide) : (ide, terminal);
            var ready = await winner.WaitForLineAsync("ready: 1/1", StartDeadline, cancellationToken);

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(loser.ExitCode, Is.EqualTo(3), $"round {round}: {loser.Output}");
                Assert.That(loser.Output, Does.Contain($"already run by launcher pid {winner.PidInside}"), $"round {round}: {loser.Output}");
                Assert.That(winner.HasExited, Is.False, $"round {round}: the winner runs on: {winner.Output}");
                Assert.That(ReadyNodes().Matches(ready), Has.Count.EqualTo(1), ready);
            });

            winner.Signal(Signals.SIGTERM);
            Assert.That(await winner.WaitForExitAsync(StartDeadline, cancellationToken), Is.EqualTo(0), $"round {round}: {winner.Output}");
        }
    }

    [GeneratedRegex(@"api\d+@")]
    private static partial Regex ReadyNodes();
}
