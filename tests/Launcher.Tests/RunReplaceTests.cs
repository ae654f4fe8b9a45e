using System.Globalization;
using System.Text.Json.Nodes;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 13, part 8: `launcher run --replace` (what the IDE configurations run) stops the running launcher of the
/// instance, proven as `launcher stop` proves it, waits for it, and takes over; it never signals a launcher of
/// another instance nor whatever process a planted holder file names.
/// </summary>
[TestFixture]
public sealed class RunReplaceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Test, CancelAfter(180_000)]
    public async Task A_second_run_with_replace_takes_over_from_the_first_which_exits_0_with_its_workers(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        var config = LauncherConfig.SampleWorkers(2) with { StopGraceSeconds = 5 };
        await using var first = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        first.Observe();
        var firstWorkers = first.Workers.Select(w => Identity.Of(w.Pid)).ToList();

        // Act
        await using var second = await LauncherRun.StartAsync(sandbox, args: ["--replace"], cancellationToken: cancellationToken);
        var firstExit = await first.WaitForExitAsync(cancellationToken);

        // Assert: the first stopped cleanly, and exactly the second's two new workers run.
        var live = Supervision.LiveWorkers(sandbox);
        Assert.Multiple(() =>
        {
            Assert.That(firstExit, Is.EqualTo(0), first.Output);
            Assert.That(first.Survivors(), Is.Empty, "nothing of the first launcher is left");
            Assert.That(firstWorkers.Where(w => w.IsAlive), Is.Empty);
            Assert.That(second.Output, Does.Contain($"--replace: stopping launcher pid {first.Process.PidInside}"));
            Assert.That(second.Workers, Has.Count.EqualTo(2));
            Assert.That(live, Is.EquivalentTo(second.Workers.Select(w => w.Pid)), "exactly the new launcher's workers run");
            Assert.That(second.Workers.Select(w => w.Pid).Intersect(first.Workers.Select(w => w.Pid)), Is.Empty, "new workers, none of the first's");
        });

        Assert.That(await second.StopAsync(cancellationToken), Is.EqualTo(0), second.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(240_000)]
    public async Task Replace_never_stops_a_launcher_of_another_instance_nor_a_process_a_planted_holder_file_names(CancellationToken cancellationToken)
    {
        // Arrange: a launcher of another instance, and an unrelated process of ours.
        await using var other = await Sandbox.InPidNamespaceAsync(cancellationToken);
        await using var otherRun = await LauncherRun.StartAsync(other, LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }, cancellationToken: cancellationToken);
        await using var sandbox = Sandbox.SharingNamespaceOf(other);
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        await using var sleeper = await StrayProcesses.StartAsync(sandbox, "sleep", ["3714"], "sleep 3714", cancellationToken: cancellationToken);
        var otherLauncher = Identity.Of(otherRun.Pid);
        var unrelated = Identity.Of(sleeper.Pid);
        var outcomes = new List<string>();

        foreach (var (pidInside, identity) in new[] { (otherRun.Process.PidInside, otherLauncher), (sleeper.PidInside, unrelated) })
        {
            // Act: our holder file names that process; run --replace.
            WriteHolder(sandbox.Paths.HolderFile, pidInside, identity.StartTicks!.Value);
            await using (var run = await LauncherRun.StartAsync(sandbox, args: ["--replace"], cancellationToken: cancellationToken))
            {
                outcomes.Add(run.Output);
                Assert.Multiple(() =>
                {
                    Assert.That(run.Output, Does.Contain("--replace: signalled nothing"), run.Output);
                    Assert.That(identity.IsAlive, Is.True, $"pid {identity.Pid} named by the planted holder file was left alone");
                    Assert.That(run.Workers, Has.Count.EqualTo(1), "the run went on and started its own worker");
                });
                Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), run.Output);
            }
        }

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(outcomes[0], Does.Contain("does not hold the instance lock"), "the other instance's launcher is not ours to stop");
            Assert.That(outcomes[1], Does.Contain("not a launcher"));
            Assert.That(otherLauncher.IsAlive, Is.True);
            Assert.That(otherRun.Workers.Select(w => Identity.Of(w.Pid)).All(w => w.IsAlive), Is.True, "the other instance's workers still run");
            Assert.That(unrelated.IsAlive, Is.True);
        });
        Assert.That(await otherRun.StopAsync(cancellationToken), Is.EqualTo(0), otherRun.Output);
    }

    private static void WriteHolder(string path, int pid, ulong startTicks)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var holder = new JsonObject
        {
            ["pid"] = pid,
            ["startTicks"] = startTicks,
            ["startedAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["commandLine"] = "launcher run",
            ["configFile"] = "launcher.json",
        };
        File.WriteAllText(path, holder.ToJsonString());
    }
}
