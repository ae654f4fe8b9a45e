using System.Text.Json;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, "rolled logs make status point at a file that no longer exists" and "one log file per dead worker pid
/// is kept forever", with the real launcher.
/// </summary>
[TestFixture]
public sealed class LogFilesTests
{
    [Test, CancelAfter(180_000)]
    public async Task Status_names_the_file_a_worker_writes_now_after_its_first_log_rolled_away(CancellationToken cancellationToken)
    {
        // Arrange: logs of 10 kB, 2 kept; the worker prints 300 kB, so its first file is long deleted.
        await using var sandbox = new Sandbox();
        var config = new LauncherConfig
        {
            Command = ["/bin/sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo \"line $i of a worker that talks a lot, a lot, a lot\"; i=$((i+1)); done; echo talk-done; exec sleep 600"],
            Ping = new { command = new[] { "/bin/echo", "{node}" }, intervalSeconds = 1 },
            StopGraceSeconds = 2,
            Extra = new Dictionary<string, object?> { ["logFileSizeLimitBytes"] = 10_000, ["logFilesRetained"] = 2 },
        };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var pid = run.Workers.Single().PidInside;
        var first = Path.Join(sandbox.LogDir, $"worker_{pid}.log");
        await Eventually.TrueAsync(
            () => !File.Exists(first) && Directory.EnumerateFiles(sandbox.LogDir, $"worker_{pid}_*.log").Any(f => ContainsIfStillThere(f, "talk-done")),
            TimeSpan.FromSeconds(60), "the worker's log rolled and its first file was deleted", cancellationToken);

        // Act
        string? logFile = null;
        await Eventually.TrueAsync(
            async () => (logFile = await StatusLogFileAsync(sandbox, cancellationToken)) is not null,
            TimeSpan.FromSeconds(30), "status --json names the worker's log file", cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(logFile, Is.Not.EqualTo(first));
            Assert.That(File.Exists(logFile), Is.True, $"status names {logFile}, which exists");
            Assert.That(File.ReadAllText(logFile!), Does.Contain("talk-done"), "and is the one being written");
        });
    }

    [Test, CancelAfter(180_000)]
    public async Task Many_small_logs_of_dead_workers_are_pruned_to_logDirMaxBytes_oldest_first_and_the_live_log_stays(CancellationToken cancellationToken)
    {
        // Arrange: 200 logs of 2000 bytes left by workers long gone (pids beyond pid_max are never running).
        await using var sandbox = new Sandbox();
        Directory.CreateDirectory(sandbox.LogDir);
        var then = DateTime.UtcNow.AddDays(-1);
        for (var i = 0; i < 200; i++)
        {
            var path = Path.Join(sandbox.LogDir, $"worker_{90_000_000 + i}.log");
            File.WriteAllBytes(path, new byte[2000]);
            File.SetLastWriteTimeUtc(path, then.AddMinutes(i));
        }

        var config = LauncherConfig.SampleWorkers(workers: 2) with
        {
            Extra = new Dictionary<string, object?> { ["logDirMaxBytes"] = 100_000 },
        };

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);

        // Assert
        // Only the planted names (worker_90000000.log to worker_90000199.log): a live worker whose pid happens to start
        // with 9 is not one of them (a "worker_9*" glob once counted one and failed CI).
        var planted = Enumerable.Range(0, 200).Select(i => $"worker_{90_000_000 + i}.log").ToHashSet(StringComparer.Ordinal);
        var dead = Directory.EnumerateFiles(sandbox.LogDir).Select(f => Path.GetFileName(f)).Where(planted.Contains).ToList();
        var deadBytes = dead.Count * 2000L;
        Assert.Multiple(() =>
        {
            Assert.That(deadBytes, Is.LessThanOrEqualTo(100_000), "the dead workers' logs fit the cap");
            Assert.That(dead, Does.Contain("worker_90000199.log"), "the newest dead log stays");
            Assert.That(dead, Does.Not.Contain("worker_90000000.log"), "the oldest went first");
            foreach (var worker in run.Workers)
                Assert.That(File.Exists(Path.Join(sandbox.LogDir, $"worker_{worker.PidInside}.log")), Is.True, "a running worker's log is never deleted");
        });
    }

    private static async Task<string?> StatusLogFileAsync(Sandbox sandbox, CancellationToken cancellationToken)
    {
        var status = await LauncherCli.RunAsync(sandbox, ["status", "--json"], cancellationToken: cancellationToken);
        if (status.ExitCode != 0)
            return null;
        using var json = JsonDocument.Parse(status.Stdout);
        return json.RootElement.GetProperty("workers").EnumerateArray()
            .Select(w => w.GetProperty("logFile"))
            .Where(f => f.ValueKind == JsonValueKind.String)
            .Select(f => f.GetString())
            .FirstOrDefault();
    }

    // The sink deletes rolled files beyond the retained count while the worker writes: a file listed a moment ago
    // may be gone when it is read, which only means it is not the one being written.
    private static bool ContainsIfStillThere(string file, string text)
    {
        try
        {
            return File.ReadAllText(file).Contains(text, StringComparison.Ordinal);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }
}
