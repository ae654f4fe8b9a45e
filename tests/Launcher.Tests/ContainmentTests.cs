using System.Diagnostics;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 4, containment: when the launcher dies by SIGKILL (an IDE's stop button), its workers, their children
/// and even a grandchild that setsid'd out of the tree are gone within 2 seconds. The parent-death signal takes
/// the workers; the watchdog takes every process carrying the dead launcher's guard. In a pid namespace of its
/// own, so the watchdog's sweep can only reach the test's processes.
/// </summary>
[TestFixture]
public sealed class ContainmentTests
{
    private const int Rounds = 5;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Test, CancelAfter(150_000)]
    public async Task A_SIGKILLed_launcher_leaves_no_worker_and_no_grandchild_alive(CancellationToken cancellationToken)
    {
        // Arrange: two workers, each with a child in its tree and a grandchild that escaped via setsid.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        LauncherConfig.SampleWorkers(2, "--spawn-grandchild", "--setsid-grandchild").WriteTo(sandbox);
        var times = new List<TimeSpan>();

        for (var round = 1; round <= Rounds; round++)
        {
            await using var run = await LauncherRun.StartAsync(sandbox, cancellationToken: cancellationToken);
            run.ExpectExitCode(128 + Signals.SIGKILL);
            var workers = run.Workers.Select(w => w.Pid).ToList();
            IReadOnlyList<int> tree = [];
            await Eventually.TrueAsync(
                () => (tree = ProcessProbe.PidsWithMarker(sandbox.Instance)).Count == 6
                    && tree.Count(pid => ProcessProbe.CommandLine(pid) == "sleep 100000") == 2
                    && tree.Count(pid => ProcessProbe.CommandLine(pid) == "sleep 100001") == 2,
                Deadline, $"round {round}: 2 workers, 2 children and 2 setsid grandchildren run", cancellationToken);
            run.Observe();
            var identities = tree.Select(Identity.Of).ToList();
            var watchdog = Supervision.Watchdog(run.Pid);
            Assert.That(watchdog, Is.Not.Null, "the launcher runs a watchdog");
            var watchdogIdentity = Identity.Of(watchdog!.Value);
            Assert.Multiple(() =>
            {
                Assert.That(workers, Has.Count.EqualTo(2));
                Assert.That(tree, Is.SupersetOf(workers));
                Assert.That(tree.Where(pid => ProcessProbe.ParentOf(pid) is { } parent && !workers.Contains(parent) && parent != run.Pid),
                    Is.Empty, "setsid grandchildren came back to the launcher (child subreaper)");
            });

            // Act
            var clock = Stopwatch.StartNew();
            run.Process.Signal(Signals.SIGKILL);
            await Eventually.TrueAsync(() => !identities.Any(p => p.IsAlive), Deadline,
                $"round {round}: every worker and grandchild is gone", cancellationToken);
            times.Add(clock.Elapsed);

            // Assert
            await Eventually.TrueAsync(() => !watchdogIdentity.IsAlive, Deadline,
                $"round {round}: the watchdog exits after its sweep", cancellationToken);
            var exitCode = await run.WaitForExitAsync(cancellationToken);
            Assert.Multiple(() =>
            {
                Assert.That(ProcessProbe.PidsWithMarker(sandbox.Instance), Is.Empty, $"round {round}: nothing of the instance is left");
                Assert.That(exitCode, Is.EqualTo(128 + Signals.SIGKILL), "the launcher itself died by SIGKILL");
            });
        }

        TestContext.Out.WriteLine(
            $"SIGKILL of the launcher -> last worker or grandchild gone (s, goal 2 s, {Rounds} rounds, 6 processes each, 50 ms polling): " +
            string.Join(", ", times.Select(t => t.TotalSeconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture))));
        // The 2 s goal is reported above, not asserted: timing belongs in bench/ (a noisy machine), survival here.
        Assert.That(sandbox.Survivors(), Is.Empty);
    }
}
