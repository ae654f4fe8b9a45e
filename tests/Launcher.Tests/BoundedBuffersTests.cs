using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, item 7, with the real launcher: a worker printing one enormous line without a newline, and a ping
/// command printing 100 MB, leave the launcher's peak memory small; the worker's log keeps to its size limit.
/// </summary>
[TestFixture]
public sealed class BoundedBuffersTests
{
    private const long MemoryLimit = 200L * 1024 * 1024;

    [Test, CancelAfter(300_000)]
    public async Task A_worker_printing_one_150_MB_line_keeps_the_launcher_small_and_its_log_under_the_size_limit(CancellationToken cancellationToken)
    {
        // Arrange: one line of 150 MB without a newline, then a marker line; logs of 1 MB, 2 kept.
        await using var sandbox = new Sandbox();
        const long sizeLimit = 1_000_000;
        const int retained = 2;
        var config = new LauncherConfig
        {
            Command = ["/bin/sh", "-c", "head -c 150000000 /dev/zero | tr '\\000' x; echo; echo line-done; exec sleep 600"],
            Ping = new { command = new[] { "/bin/echo", "{node}" }, intervalSeconds = 5, timeoutSeconds = 30 },
            StopGraceSeconds = 5,
            Extra = new Dictionary<string, object?> { ["logFileSizeLimitBytes"] = sizeLimit, ["logFilesRetained"] = retained },
        };

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var pid = run.Workers.Single().PidInside;
        await Eventually.TrueAsync(
            () => WorkerLogs(sandbox, pid).Any(f => ReadShared(f).Contains("line-done", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(240), "the worker's whole output went through the launcher into its log", cancellationToken);

        // Assert
        var peak = MemoryProbe.PeakResidentBytes(run.Pid);
        var logBytes = WorkerLogs(sandbox, pid).Sum(f => new FileInfo(f).Length);
        TestContext.Out.WriteLine($"launcher VmHWM {peak / 1024 / 1024} MB; worker logs {logBytes} bytes in {WorkerLogs(sandbox, pid).Count} file(s)");
        Assert.Multiple(() =>
        {
            Assert.That(peak, Is.Not.Null.And.LessThan(MemoryLimit), "the launcher's peak resident memory");
            Assert.That(logBytes, Is.LessThanOrEqualTo((sizeLimit * (retained + 1)) + (2 * 65536) + 200), "the log keeps to its size limit, give or take one line");
            Assert.That(WorkerLogs(sandbox, pid).SelectMany(File.ReadLines).Any(l => l.EndsWith("[line continues]", StringComparison.Ordinal)), Is.True, "the split is marked");
        });

        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), run.Output);
    }

    [Test, CancelAfter(300_000)]
    public async Task A_ping_command_printing_100_MB_before_the_node_name_still_counts_the_worker_and_keeps_the_launcher_small(CancellationToken cancellationToken)
    {
        // Arrange: the ping command prints 100 MB of noise, then the node name.
        await using var sandbox = new Sandbox();
        var config = new LauncherConfig
        {
            Command = ["/bin/sleep", "600"],
            Ping = new
            {
                command = new[] { "/bin/sh", "-c", "head -c 100000000 /dev/zero | tr '\\000' y; echo \"$1\"", "ping", "{node}" },
                intervalSeconds = 600,
                timeoutSeconds = 120,
            },
            StopGraceSeconds = 5,
        };

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);

        // Assert
        var peak = MemoryProbe.PeakResidentBytes(run.Pid);
        TestContext.Out.WriteLine($"launcher VmHWM {peak / 1024 / 1024} MB; {run.Ready}");
        Assert.Multiple(() =>
        {
            Assert.That(run.Ready, Does.Contain("1/1"), "the worker was counted as answering");
            Assert.That(peak, Is.Not.Null.And.LessThan(MemoryLimit), "the launcher's peak resident memory");
        });

        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), run.Output);
    }

    private static List<string> WorkerLogs(Sandbox sandbox, int pid) =>
        Directory.EnumerateFiles(sandbox.LogDir, $"worker_{pid}*.log")
            .Where(f => Path.GetFileName(f) is var name && (name == $"worker_{pid}.log" || name.StartsWith($"worker_{pid}_", StringComparison.Ordinal)))
            .ToList();

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
