using System.Text.RegularExpressions;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 3, finding strays: `launcher strays` lists what is there without touching it, merges what several
/// sources say about one process into one worker, and never lists the shell it was started from. In a pid
/// namespace of its own: `strays --kill` is a kill path.
/// </summary>
[TestFixture]
public sealed class StrayDiscoveryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Test, CancelAfter(60_000)]
    public async Task Strays_without_kill_lists_a_hand_started_worker_once_and_changes_nothing(CancellationToken cancellationToken)
    {
        // Arrange: a worker started as an IDE starts it (marker, no launcher), with a child in its tree.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        await using var stray = await StrayProcesses.StartWorkerAsync(sandbox, ["--spawn-grandchild"], cancellationToken: cancellationToken);
        var registrationBefore = File.ReadAllText(stray.RegistrationFile);
        Assert.That(stray.Children, Has.Count.EqualTo(1), "the worker's child `sleep` runs");
        var tree = stray.Children.Append(stray.Pid).Select(Identity.Of).ToList();

        // Act
        var text = await LauncherCli.RunAsync(sandbox, ["strays"], cancellationToken: cancellationToken);
        var report = await StrayProcesses.ReportAsync(sandbox, kill: false, cancellationToken);

        // Assert: one worker (registration and marker name the same process), with its tree, and nothing changed.
        Assert.Multiple(() =>
        {
            Assert.That(text.ExitCode, Is.EqualTo(0), text.ToString());
            Assert.That(text.Stdout, Does.Contain($"stray {stray.Node} pid {stray.PidInside}").And.Contain("nothing was changed"), text.ToString());
            Assert.That(report.ExitCode, Is.EqualTo(0), report.Raw);
            Assert.That(report.Strays, Has.Count.EqualTo(1), report.Raw);
            Assert.That(report.Killed, Is.Empty, report.Raw);
        });
        var listed = report.Strays.Single();
        Assert.Multiple(() =>
        {
            Assert.That(listed.Pid, Is.EqualTo(stray.PidInside), report.Raw);
            Assert.That(listed.Node, Is.EqualTo(stray.Node), report.Raw);
            Assert.That(listed.TreeSize, Is.EqualTo(2), "the worker and its child: " + report.Raw);
            Assert.That(listed.FoundBy, Is.EqualTo("marker,registration"), report.Raw);
            Assert.That(tree.Where(p => !p.IsAlive), Is.Empty, "every process of the stray still runs");
            Assert.That(File.Exists(stray.RegistrationFile) ? File.ReadAllText(stray.RegistrationFile) : null,
                Is.EqualTo(registrationBefore), "the registration is untouched");
        });

        await sandbox.DisposeAsync();
        Assert.That(tree.Where(p => p.IsAlive), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task The_shell_a_launcher_runs_in_is_never_a_stray_even_when_it_carries_the_marker_and_matches_a_pattern(CancellationToken cancellationToken)
    {
        // Arrange: `launcher strays --kill` runs inside a shell that carries the instance marker (a worker's
        // terminal) and whose command line matches the configured pattern; the launcher itself carries both too.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        (LauncherConfig.SampleWorkers(1) with { StrayPatterns = [Regex.Escape($"strays --kill --config {sandbox.ConfigPath}")] }).WriteTo(sandbox);
        var script = $"\"{Repo.LauncherExe}\" strays --kill --config {sandbox.ConfigPath}; code=$?; echo \"shell survived, launcher exit $code\"";

        // Act
        await using var shell = LauncherProcess.StartProgram(sandbox, "/bin/sh", ["-c", script],
            environment: new Dictionary<string, string?> { ["LAUNCHER_INSTANCE"] = sandbox.Instance });
        var exitCode = await shell.WaitForExitAsync(TimeSpan.FromSeconds(30), cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), shell.Output);
            Assert.That(shell.Output, Does.Contain("shell survived, launcher exit 0"), shell.Output);
            Assert.That(shell.Output, Does.Contain($"no stray workers of instance '{sandbox.Instance}'"), shell.Output);
        });
        Assert.That(sandbox.Survivors(), Is.Empty);
    }
}
