using System.Text.Json.Nodes;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 5, any command as a worker: <c>examples/shell</c>, a plain shell script that knows nothing of the launcher,
/// verified by its <c>ping.command</c> and protected from a hand-started copy by its <c>strays.match</c> pattern.
/// </summary>
[TestFixture]
public sealed class ShellExampleTests
{
    private const string Example = "shell";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(90_000)]
    public async Task The_shell_example_is_supervised_and_a_hand_started_copy_is_killed_as_a_stray(CancellationToken cancellationToken)
    {
        // Arrange: a copy of worker.sh started by hand (no marker: only the pattern can find it), with its sleep child.
        await using var sandbox = new Sandbox();
        var copy = Examples.CopyInto(sandbox, Example);
        var config = Examples.WriteConfig(sandbox, Example, copy);
        var script = Path.Combine(copy, "worker.sh");
        await using var byHand = LauncherProcess.StartProgram(sandbox, "/bin/sh", [script], copy);
        await byHand.WaitForLineAsync("tick 1", Deadline, cancellationToken);
        var handTree = (int[])[byHand.Pid, .. ProcessProbe.DescendantsOf(byHand.Pid)];
        foreach (var pid in handTree)
            sandbox.Processes.Track(pid);
        Assert.That(Examples.StrayPattern(Example).IsMatch(ProcessProbe.CommandLine(byHand.Pid)!), Is.True,
            "the example's strays.match pattern catches a hand-started worker.sh");

        // Act
        await using var launcher = await LauncherRun.StartAsync(sandbox, args: ["--config", config], cancellationToken: cancellationToken);
        var ready = launcher.Ready;
        var nodes = launcher.Workers.Select(w => w.Node).ToList();
        var ping = await LauncherCli.RunAsync(sandbox, ["ping", "--config", config], cancellationToken: cancellationToken);

        // Assert: the copy is gone (tree included), the launcher's workers run the script with their node names, and
        // the ping command (kill -0 {pid} && echo {node}) answers for each.
        var scripts = Examples.ProcessesWhere(line => line.Contains(script, StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(handTree.Where(ProcessProbe.IsAlive), Is.Empty, "the hand-started copy and its child are gone");
            Assert.That(launcher.Output, Does.Contain($"Killed stray pid {byHand.Pid}"));
            Assert.That(ReadyLine.Counts(ready), Is.EqualTo((2, 2)), ready);
            Assert.That(scripts, Is.EquivalentTo(nodes.Select(ReadyLine.PidOf)), "exactly the launcher's workers run worker.sh");
            foreach (var node in nodes)
            {
                Assert.That(ProcessProbe.CommandLine(ReadyLine.PidOf(node)), Does.EndWith($"worker.sh {node}"), "{node} reached the script");
                Assert.That(ping.Stdout, Does.Contain($"{node}#{ReadyLine.PidOf(node)}: pong"));
            }

            Assert.That(ping.ExitCode, Is.Zero, ping.Stdout + ping.Stderr);
        });

        Assert.That(await launcher.StopAsync(cancellationToken), Is.Zero, launcher.Output);
        Assert.Multiple(() =>
        {
            Assert.That(Examples.ProcessesWhere(line => line.Contains(script, StringComparison.Ordinal)), Is.Empty);
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task A_ping_command_that_exits_0_without_naming_the_node_fails_verification_with_exit_code_4(CancellationToken cancellationToken)
    {
        // Arrange: the example with a ping command that succeeds but answers for somebody else.
        await using var sandbox = new Sandbox();
        var copy = Examples.CopyInto(sandbox, Example);
        var config = Examples.WriteConfig(sandbox, Example, copy, adjust: c =>
        {
            c["ping"]!["command"] = new JsonArray("/bin/sh", "-c", "kill -0 {pid} && echo api1@elsewhere");
            c["startTimeoutSeconds"] = 3;
        });

        // Act
        await using var launcher = LauncherProcess.Start(sandbox, ["run", "--config", config]);
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert: not ready, and the message says why; the workers it started are stopped.
        foreach (var pid in Examples.StartedPids(launcher))
            sandbox.Processes.Track(pid);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(4), launcher.Output);
            Assert.That(launcher.Output, Does.Not.Contain("ready:"));
            Assert.That(launcher.Output, Does.Contain("ping command exited 0 without naming api"));
            Assert.That(Examples.StartedPids(launcher), Has.Count.EqualTo(2));
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }
}
