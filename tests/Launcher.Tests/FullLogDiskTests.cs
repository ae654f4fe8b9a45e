using System.Diagnostics;
using System.Runtime.Versioning;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, item 8: the log directory fills up (a 64 KiB tmpfs, filled with dd) while the launcher runs; then
/// <c>launcher stop</c> still ends with exit 0, no stack trace, no status file left and no survivors.
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
public sealed class FullLogDiskTests
{
    [Test, CancelAfter(180_000)]
    public async Task Stop_on_a_full_log_disk_exits_0_without_a_stack_trace_and_cleans_up(CancellationToken cancellationToken)
    {
        // Arrange: logs and the runtime directory (status file) on a small filesystem of our own.
        await using var sandbox = new Sandbox();
        var disk = Path.Join(sandbox.Dir, "disk");
        Directory.CreateDirectory(disk);
        var mount = await RunAsync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", disk]);
        if (mount.ExitCode != 0)
            Assert.Ignore($"cannot mount a tmpfs here (needs root and mount rights): {mount.Output}");
        try
        {
            var logDir = Path.Join(disk, "logs");
            var runtimeDir = Path.Join(disk, "runtime");
            Directory.CreateDirectory(logDir);
            Directory.CreateDirectory(runtimeDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var environment = new Dictionary<string, string?> { ["LAUNCHER_RUNTIME_DIR"] = runtimeDir };
            var config = LauncherConfig.SampleWorkers(workers: 2) with { LogDir = "disk/logs" };
            await using var run = await LauncherRun.StartAsync(sandbox, config, environment: environment, cancellationToken: cancellationToken);
            run.Observe();

            // Act: fill the disk, let the workers write into it for a few ticks, then stop.
            var fill = await RunAsync("dd", ["if=/dev/zero", $"of={Path.Join(disk, "fill")}", "bs=4k"]);
            Assert.That(fill.Output, Does.Contain("No space left on device"), "the disk is full");
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken); // a few of the workers' 1 s ticks and a status write hit the full disk
            var stop = await LauncherCli.RunAsync(sandbox, ["stop"], TimeSpan.FromSeconds(90), environment: environment, cancellationToken: cancellationToken);

            // Assert
            var output = run.Output + "\n" + stop;
            var left = Directory.EnumerateFiles(runtimeDir).Select(Path.GetFileName).Where(n => n!.Contains(".status.json", StringComparison.Ordinal)).ToList();
            Assert.Multiple(() =>
            {
                Assert.That(stop.ExitCode, Is.EqualTo(0), stop.ToString());
                Assert.That(run.Process.ExitCode, Is.EqualTo(0), run.Output);
                Assert.That(output, Does.Not.Match(@"(?m)^\s+at \S+\("), "no stack trace");
                Assert.That(output, Does.Not.Contain("Unhandled exception"));
                Assert.That(left, Is.Empty, "no status file (or half-written temporary one) left behind");
                Assert.That(run.Survivors(), Is.Empty);
                Assert.That(File.Exists(Path.Join(logDir, "launcher.log")), Is.True, "the launcher's log was on the full disk");
            });
        }
        finally
        {
            await RunAsync("umount", ["-l", disk]);
        }
    }

    [Test, CancelAfter(180_000)]
    public async Task Workers_writing_fast_to_a_full_log_disk_run_on_answering_and_each_file_is_reported_once_not_per_line(CancellationToken cancellationToken)
    {
        // Arrange: the logs on a 64 KiB tmpfs of our own; two workers printing 20 lines a second each.
        await using var sandbox = new Sandbox();
        var disk = Path.Join(sandbox.Dir, "disk");
        Directory.CreateDirectory(disk);
        var mount = await RunAsync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", disk]);
        if (mount.ExitCode != 0)
            Assert.Ignore($"cannot mount a tmpfs here (needs root and mount rights): {mount.Output}");
        try
        {
            var config = LauncherConfig.SampleWorkers(2) with { Command = [Repo.SampleWorkerExe, "--tick-seconds", "0.05"], LogDir = "disk/logs" };
            await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
            var workers = run.Workers.Select(w => Identity.Of(w.Pid)).ToList();

            // Act: fill the disk while they write; wait for both files to be reported.
            var fill = await RunAsync("dd", ["if=/dev/zero", $"of={Path.Join(disk, "fill")}", "bs=4k"]);
            Assert.That(fill.Output, Does.Contain("No space left on device"), "the disk is full");
            var filled = DateTime.UtcNow;
            foreach (var worker in run.Workers)
            {
                await Eventually.TrueAsync(() => Reports(run.Output, worker.Pid) >= 1, TimeSpan.FromSeconds(60),
                    $"the full log of {worker.Node} is reported; output:\n{run.Output}", cancellationToken);
            }

            // Another 3 s: 60 more lost lines per worker, and no report for any of them.
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            var ping = await LauncherCli.RunAsync(sandbox, ["ping", "--expect", "2"], TimeSpan.FromSeconds(60), cancellationToken: cancellationToken);
            var withinAMinute = DateTime.UtcNow - filled < TimeSpan.FromSeconds(55);

            // Assert
            Assert.Multiple(() =>
            {
                foreach (var worker in run.Workers)
                    Assert.That(Reports(run.Output, worker.Pid), withinAMinute ? Is.EqualTo(1) : Is.InRange(1, 2), $"{worker.Node}: once a minute, not per line");
                Assert.That(ping.ExitCode, Is.EqualTo(0), $"both workers answer: {ping}");
                Assert.That(workers.All(w => w.IsAlive), Is.True, "the same workers run on: none blocked, killed or restarted");
                Assert.That(Supervision.StartedPids(run.Process), Has.Count.EqualTo(2), "no replacement was started");
            });
            Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), run.Output);
            Assert.That(run.Survivors(), Is.Empty);
        }
        finally
        {
            await RunAsync("umount", ["-l", disk]);
        }
    }

    // The launcher's report lines about worker_<pid>.log (its rolled files included).
    private static int Reports(string output, int pid) =>
        output.Split('\n').Count(line => line.Contains("cannot be written", StringComparison.Ordinal) && line.Contains($"/worker_{pid}", StringComparison.Ordinal));

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
