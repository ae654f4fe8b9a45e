using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 12, part 5: `launcher run` starts its workers all at once (the spawn thread forks them back to back, the
/// bookkeeping follows concurrently). Each worker must still get its own name, its own log file named by its pid, and
/// only its own output in it.
/// </summary>
[TestFixture]
public sealed class ParallelSpawnTests
{
    private const int Workers = 8;

    [Test, CancelAfter(180_000)]
    public async Task Workers_started_at_once_each_get_their_own_name_and_a_log_file_with_only_their_own_output(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(Workers), cancellationToken: cancellationToken);
        var workers = run.Workers;
        var logs = workers.ToDictionary(w => w.Pid, w => File.ReadAllText(Path.Combine(sandbox.LogDir, $"worker_{w.Pid}.log")));

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(workers, Has.Count.EqualTo(Workers), run.Output);
            Assert.That(workers.Select(w => w.Pid).Distinct().Count(), Is.EqualTo(Workers), "a pid each");
            Assert.That(workers.Select(w => w.Node).Distinct().Count(), Is.EqualTo(Workers), "a name each");
            Assert.That(Directory.GetFiles(sandbox.LogDir, "worker_*.log").Select(Path.GetFileName),
                Is.EquivalentTo(workers.Select(w => $"worker_{w.Pid}.log")), "one log per worker pid, nothing else");
            foreach (var worker in workers)
            {
                Assert.That(worker.Node, Does.StartWith($"api{worker.PidInside}@"), "named after its own pid");
                Assert.That(logs[worker.Pid], Does.Contain($"Ready. pid={worker.PidInside} node={worker.Node}"), $"{worker.Node} wrote its own log");
                foreach (var other in workers.Where(o => o.Pid != worker.Pid))
                    Assert.That(logs[worker.Pid], Does.Not.Contain($"pid={other.PidInside} "), $"nothing of {other.Node} in {worker.Node}'s log");
            }
        });

        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), run.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }
}
