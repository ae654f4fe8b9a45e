using System.Runtime.Versioning;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 12: the exec shim of every worker and the watchdog run in <c>launcher-companion</c>, the small binary
/// <c>scripts/build.sh</c> puts beside the launcher; without it the launcher runs them itself. Either way a worker gets
/// its node name and placeholders, and a SIGKILLed launcher leaves nothing behind. The kill paths run in a pid
/// namespace of their own.
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
public sealed class CompanionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // The worker names itself from the placeholders the shim fills in, then leaves a child and a setsid grandchild.
    private static readonly string[] NamingWorker =
        ["/bin/sh", "-c", "echo \"named node={node} pid={pid}\"; sleep 100001 & setsid sleep 100002 & exec sleep 100000"];

    [Test, CancelAfter(120_000)]
    public async Task The_exec_shim_and_the_watchdog_run_in_the_companion_beside_the_launcher(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var config = Config();

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);

        // Assert
        var watchdog = Supervision.Watchdog(run.Pid);
        Assert.That(watchdog, Is.Not.Null, "the launcher runs a watchdog");
        Assert.That(ExecutableOf(watchdog!.Value), Is.EqualTo(Path.Combine(Repo.ArtifactsDir, "launcher-companion")),
            "the watchdog waits in the companion, not in a second copy of the launcher");
        await AssertWorkersNamedThemselvesAsync(run.Workers, cancellationToken);
    }

    [Test, CancelAfter(150_000)]
    public async Task Without_the_companion_beside_it_the_launcher_runs_the_shim_and_the_watchdog_itself(CancellationToken cancellationToken)
    {
        // Arrange: the launcher alone in a directory of its own.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        var launcher = CopyArtifacts(sandbox, "launcher");
        Config().WriteTo(sandbox);

        // Act
        await using var process = LauncherProcess.StartProgram(sandbox, launcher, ["run"]);
        var workers = await ReadyWorkersAsync(process, cancellationToken);

        // Assert: the helpers are the launcher binary's own verbs, and they work the same.
        var watchdog = Supervision.Watchdog(process.Pid);
        Assert.That(watchdog, Is.Not.Null, "the launcher runs a watchdog");
        Assert.That(ExecutableOf(watchdog!.Value), Is.EqualTo(launcher), "without a companion the watchdog is the launcher binary");
        await AssertWorkersNamedThemselvesAsync(sandbox, workers, cancellationToken);
        await AssertSigkillLeavesNothingAsync(sandbox, process, cancellationToken);
    }

    [Test, CancelAfter(150_000)]
    public async Task The_companion_watchdog_still_sweeps_when_the_launcher_file_was_removed_before_the_launcher_was_killed(
        CancellationToken cancellationToken)
    {
        // Arrange: launcher and companion in a directory of their own, the launcher's file removed while it runs (an
        // upgrade that replaced it): the companion runs the sweep from the file it opened at start.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        var launcher = CopyArtifacts(sandbox, "launcher", "launcher-companion");
        Config().WriteTo(sandbox);
        await using var process = LauncherProcess.StartProgram(sandbox, launcher, ["run"]);
        await ReadyWorkersAsync(process, cancellationToken);
        var watchdog = Supervision.Watchdog(process.Pid);
        Assert.That(watchdog, Is.Not.Null, "the launcher runs a watchdog");
        Assert.That(ExecutableOf(watchdog!.Value), Is.EqualTo(Path.Combine(Path.GetDirectoryName(launcher)!, "launcher-companion")));
        File.Delete(launcher);

        // Act and Assert
        await AssertSigkillLeavesNothingAsync(sandbox, process, cancellationToken);
        var swept = await process.WaitForLineAsync("launcher watchdog: launcher", Deadline, cancellationToken);
        Assert.That(swept, Does.Contain("is gone; killed"), "the launcher's own sweep ran, not the companion's cgroup-only fallback");
    }

    // Verified by a ping command that answers for any node: these workers speak no protocol.
    private static LauncherConfig Config() => new()
    {
        Command = NamingWorker,
        Workers = 2,
        StopGraceSeconds = 2,
        Ping = new { command = new[] { "/bin/echo", "{node}" }, intervalSeconds = 3600, timeoutSeconds = 30 },
    };

    private static async Task<IReadOnlyList<string>> ReadyWorkersAsync(LauncherProcess process, CancellationToken cancellationToken)
    {
        var ready = await process.WaitForLineAsync(ReadyLine.Is, LauncherRun.StartDeadline, cancellationToken, "the ready line");
        return ReadyLine.Nodes(ready);
    }

    private static Task AssertWorkersNamedThemselvesAsync(IEnumerable<RunWorker> workers, CancellationToken cancellationToken) =>
        AssertNamedAsync(workers.Select(w => (w.Node, w.PidInside, w.LogFile)), cancellationToken);

    private static Task AssertWorkersNamedThemselvesAsync(Sandbox sandbox, IReadOnlyList<string> nodes, CancellationToken cancellationToken) =>
        AssertNamedAsync(
            nodes.Select(node => (node, ReadyLine.PidOf(node), Path.Combine(sandbox.LogDir, $"worker_{ReadyLine.PidOf(node)}.log"))),
            cancellationToken);

    // Each worker printed its own node name and pid, as the launcher names it: the shim filled in {node} and {pid}.
    private static async Task AssertNamedAsync(IEnumerable<(string Node, int Pid, string LogFile)> workers, CancellationToken cancellationToken)
    {
        foreach (var (node, pid, logFile) in workers)
        {
            var expected = $"named node={node} pid={pid}";
            await Eventually.TrueAsync(() => ReadAll(logFile).Contains(expected, StringComparison.Ordinal),
                Deadline, $"{node} printed '{expected}' into {logFile}", cancellationToken);
        }
    }

    private static async Task AssertSigkillLeavesNothingAsync(Sandbox sandbox, LauncherProcess process, CancellationToken cancellationToken)
    {
        IReadOnlyList<int> tree = [];
        await Eventually.TrueAsync(() => (tree = ProcessProbe.PidsWithMarker(sandbox.Instance)).Count == 6, Deadline,
            "2 workers, 2 children and 2 setsid grandchildren run", cancellationToken);
        var identities = tree.Select(Identity.Of).ToList();

        process.Signal(Signals.SIGKILL);

        await Eventually.TrueAsync(() => !identities.Any(p => p.IsAlive), Deadline, "every worker, child and grandchild is gone", cancellationToken);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    private static string CopyArtifacts(Sandbox sandbox, params string[] names)
    {
        var directory = Path.Combine(sandbox.Dir, "bin");
        Directory.CreateDirectory(directory);
        foreach (var name in names)
        {
            var target = Path.Combine(directory, name);
            File.Copy(Path.Combine(Repo.ArtifactsDir, name), target); // with its mode: executable
        }

        return Path.Combine(directory, names[0]);
    }

    private static string? ExecutableOf(int pid)
    {
        try
        {
            return File.ResolveLinkTarget($"/proc/{pid}/exe", returnFinalTarget: false)?.FullName;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string ReadAll(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }
}
