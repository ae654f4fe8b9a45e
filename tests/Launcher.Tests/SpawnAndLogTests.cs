using System.Text.RegularExpressions;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 2, spawn: the pid in a worker's node name is the worker's own pid (the one ps shows, not a shim's or a
/// shell's), and its log file <c>logs/worker_&lt;pid&gt;.log</c> holds its stdout and stderr with timestamps.
/// </summary>
[TestFixture]
public sealed class SpawnAndLogTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(60_000)]
    public async Task The_node_name_pid_is_the_worker_pid_ps_shows_and_names_its_log_file_which_holds_its_output(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(2) with { StopGraceSeconds = 5 }, cancellationToken: cancellationToken);
        var launcher = run.Process;
        var ready = run.Ready;
        var nodes = run.Workers.Select(w => w.Node).ToList();
        var pids = run.Workers.Select(w => w.Pid).ToList();

        // Assert: ps lists exactly these pids as the launcher's SampleWorker children.
        var ps = await SpineFacts.RunProgramAsync(sandbox, "ps", ["-o", "pid=,args=", "--ppid", $"{launcher.Pid}"], cancellationToken);
        var psWorkers = ps.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Trim().Split(' ', 2))
            .Where(fields => fields[1].StartsWith(Repo.SampleWorkerExe, StringComparison.Ordinal))
            .Select(fields => int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(nodes, Has.Count.EqualTo(2), ready);
            Assert.That(psWorkers, Is.EquivalentTo(pids), $"ps:\n{ps.Stdout}");
            foreach (var (node, pid) in nodes.Zip(pids))
            {
                Assert.That(node, Is.EqualTo($"api{pid}@{SelfIdentity.HostName}"));
                Assert.That(SpineFacts.EnvironmentOf(pid, EnvironmentNames.Node), Is.EqualTo(node), "the worker was told its own node name");
                Assert.That(ProcessProbe.CommandLine(pid), Does.StartWith(Repo.SampleWorkerExe), "the pid is the worker itself, not a shim");
            }
        });

        // Assert: one log per pid, holding that worker's stdout and stderr lines, timestamped.
        var logs = Directory.EnumerateFiles(sandbox.LogDir, "worker_*.log").Select(Path.GetFileName).ToList();
        Assert.That(logs, Is.EquivalentTo(pids.Select(pid => $"worker_{pid}.log")));
        foreach (var pid in pids)
        {
            var log = Path.Combine(sandbox.LogDir, $"worker_{pid}.log");
            await Eventually.TrueAsync(
                () => Stamped(ReadShared(log), "out", $@"Ready\. pid={pid} node=api{pid}@") && Stamped(ReadShared(log), "err", $"stderr check from pid {pid}"),
                Deadline, $"{log} holds the worker's stdout and stderr lines with timestamps", cancellationToken);
        }

        Assert.That(ReadShared(Path.Combine(sandbox.LogDir, "launcher.log")), Does.Contain("ready: 2/2 workers verified"), "the launcher's own log");

        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    // A line "<date> <time> <offset> <stream> <text>", as WorkerLog's output template writes it.
    private static bool Stamped(string log, string stream, string pattern) =>
        Regex.IsMatch(log, @"(?m)^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} [+-]\d{2}:\d{2} " + stream + " " + pattern);

    private static string ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }
}
