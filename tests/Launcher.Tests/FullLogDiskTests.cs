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
