using Launcher.Logging;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, "one log file per dead worker pid is kept forever" and "status points at a rolled-away file", on real
/// files without processes: the cap deletes dead workers' oldest files first and never a running worker's current
/// file; the current file of a rolled log is its newest.
/// </summary>
[TestFixture]
public sealed class LogDirectoryBudgetTests
{
    private DirectoryInfo _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("bounds-logs-");

    [TearDown]
    public void RemoveDirectory() => _dir.Delete(recursive: true);

    [Test]
    public void Over_the_cap_the_oldest_files_of_dead_workers_go_first_and_a_running_workers_current_file_stays()
    {
        // Arrange: 50 dead workers' logs of 1000 bytes (oldest first), and a running worker (pid 7) whose old,
        // big, rolled file and current file are there too.
        var start = DateTime.UtcNow.AddHours(-1);
        for (var i = 0; i < 50; i++)
            Write($"worker_{1000 + i}.log", 1000, start.AddSeconds(i));
        Write("worker_7.log", 5000, start.AddSeconds(-100));
        Write("worker_7_001.log", 5000, start.AddSeconds(-50));
        Write("launcher.log", 1000, start.AddSeconds(-200));
        Write("notes.txt", 100_000, start.AddSeconds(-300));

        // Act: room for 20 000 bytes of logs.
        var (files, bytes) = LogDirectoryBudget.Enforce(_dir.FullName, 20_000, pid => pid == 7);

        // Assert
        var left = _dir.EnumerateFiles().Select(f => f.Name).ToHashSet();
        Assert.Multiple(() =>
        {
            Assert.That(left, Does.Contain("worker_7_001.log"), "a running worker's current file is never deleted");
            Assert.That(left, Does.Contain("launcher.log"), "the launcher's current file is never deleted");
            Assert.That(left, Does.Contain("notes.txt"), "files that are not our logs are not ours to delete");
            Assert.That(left, Does.Contain("worker_1049.log"), "the newest dead logs stay while there is room");
            Assert.That(left, Does.Not.Contain("worker_1000.log"), "the oldest dead log went first");
            Assert.That(left, Does.Contain("worker_7.log"), "dead workers' files go before a running worker's rolled ones");
            Assert.That(LogBytes(), Is.LessThanOrEqualTo(20_000));
            Assert.That(files, Is.EqualTo(50 - left.Count(n => n.StartsWith("worker_10", StringComparison.Ordinal))));
            Assert.That(bytes, Is.EqualTo(files * 1000L));
        });
    }

    [Test]
    public void Under_the_cap_nothing_is_deleted()
    {
        Write("worker_1000.log", 1000, DateTime.UtcNow);
        var (files, _) = LogDirectoryBudget.Enforce(_dir.FullName, 2000, _ => false);
        Assert.That((files, File.Exists(Path.Join(_dir.FullName, "worker_1000.log"))), Is.EqualTo((0, true)));
    }

    [Test]
    public void The_current_file_of_a_rolled_log_is_its_newest_numbered_file()
    {
        // Arrange: Serilog rolled worker_42.log twice and deleted the first file (retainedFileCountLimit: 2).
        Write("worker_42_001.log", 10, DateTime.UtcNow);
        Write("worker_42_002.log", 10, DateTime.UtcNow);
        Write("worker_420.log", 10, DateTime.UtcNow);
        var path = Path.Join(_dir.FullName, "worker_42.log");

        // Act, Assert
        Assert.Multiple(() =>
        {
            Assert.That(LogFileSet.CurrentFile(path), Is.EqualTo(Path.Join(_dir.FullName, "worker_42_002.log")));
            Assert.That(LogFileSet.CurrentFile(Path.Join(_dir.FullName, "worker_43.log")), Is.EqualTo(Path.Join(_dir.FullName, "worker_43.log")), "never rolled: its own name");
        });
    }

    private void Write(string name, int bytes, DateTime lastWrite)
    {
        var path = Path.Join(_dir.FullName, name);
        File.WriteAllBytes(path, new byte[bytes]);
        File.SetLastWriteTimeUtc(path, lastWrite);
    }

    private long LogBytes() => _dir.EnumerateFiles("*.log").Sum(f => f.Length);
}
