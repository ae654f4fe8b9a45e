using System.Globalization;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 12 (and issue 11's container case): the launcher as a container's PID 1, made for real with
/// <c>unshare --pid --fork --mount-proc --uts</c> (unshare(1)), so every orphan of the namespace is its child. It reaps
/// each adopted zombie when its SIGCHLD arrives, and never the workers it waits for itself: a worker's own exit
/// code still reaches the exit report.
/// </summary>
[TestFixture]
public sealed class Pid1ZombieReapingTests
{
    private const string Unshare = "/usr/bin/unshare";
    private const int Orphans = 20;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Test, CancelAfter(180_000)]
    public async Task As_PID_1_the_launcher_reaps_every_orphan_its_worker_left_and_still_reports_the_workers_own_exit_code(CancellationToken cancellationToken)
    {
        // Arrange: the first worker waits for the file "go", leaves 20 double-forked `sleep 0.3` orphans (they come to
        // PID 1 and end there), then exits 7; its replacement only sleeps.
        if (!File.Exists(Unshare))
            Assert.Ignore($"needs {Unshare}");
        await using var sandbox = new Sandbox();
        var go = Path.Combine(sandbox.Dir, "go");
        var once = Path.Combine(sandbox.Dir, "once");
        var script = $$"""
            [ -e '{{once}}' ] && exec sleep 100000
            : > '{{once}}'
            while [ ! -e '{{go}}' ]; do sleep 0.05; done
            i=0; while [ $i -lt {{Orphans}} ]; do (sleep 0.3 &); i=$((i+1)); done
            sleep 1
            exit 7
            """;
        var config = new LauncherConfig
        {
            Command = ["/bin/sh", "-c", script],
            Ping = new { command = new[] { "/bin/echo", "{node}" }, intervalSeconds = 3600 },
            Restart = new { initialDelaySeconds = 0 },
        }.WriteTo(sandbox);
        await using var unshare = LauncherProcess.StartProgram(
            sandbox, Unshare, ["--pid", "--fork", "--mount-proc", "--uts", "--kill-child=SIGKILL", Repo.LauncherExe, "run", "--config", config]);
        int? launcher = null;
        try
        {
            var ready = await WaitForReadyOrSkipAsync(unshare, cancellationToken);
            launcher = ProcessProbe.ChildrenOf(unshare.Pid).Single();
            var inside = Namespace(launcher.Value);
            Assert.That(NsPidInside(launcher.Value), Is.EqualTo(1), $"the launcher is PID 1 in its namespace ({ready})");

            // Act
            await File.WriteAllTextAsync(go, "", cancellationToken);

            // Assert: the worker's exit 7 is reported as such, a replacement runs, and no zombie is left in the namespace.
            await Eventually.TrueAsync(() => StatusText(sandbox).Contains("exit code 7", StringComparison.Ordinal), Deadline,
                $"the status events report the first worker's own exit code 7. Launcher output:\n{unshare.Output}", cancellationToken);
            await Eventually.TrueAsync(() => unshare.Output.Contains("Started worker", StringComparison.Ordinal)
                    && Members(inside).Count(pid => IsSleep(pid, "100000")) == 1, Deadline,
                $"the replacement runs. Launcher output:\n{unshare.Output}", cancellationToken);
            await Eventually.TrueAsync(() => !Members(inside).Any(pid => ProcessProbe.State(pid) == 'Z' || IsSleep(pid, "0.3")), Deadline,
                "every orphan ended and was reaped: no zombie in the namespace", cancellationToken);
            Assert.That(unshare.Output, Does.Contain("exit code 7"), "the launcher's own exit report names the code");

            // The stop: SIGTERM to PID 1 ends the run cleanly, and with it the namespace.
            Assert.That(ProcessProbe.Signal(launcher.Value, Signals.SIGTERM), Is.True);
            Assert.That(await unshare.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), unshare.Output);
            Assert.That(Members(inside), Is.Empty, "nothing is left in the namespace");
        }
        finally
        {
            if (launcher is { } pid)
                ProcessProbe.Signal(pid, Signals.SIGKILL); // PID 1's death ends the namespace (pid_namespaces(7)); a no-op once it exited
        }
    }

    private static async Task<string> WaitForReadyOrSkipAsync(LauncherProcess unshare, CancellationToken cancellationToken)
    {
        var ready = unshare.WaitForLineAsync("ready:", Deadline, cancellationToken);
        var exited = unshare.WaitForExitAsync(Deadline, cancellationToken);
        if (await Task.WhenAny(ready, exited) == exited && !ready.IsCompletedSuccessfully)
        {
            var output = unshare.Output;
            if (output.Contains("unshare", StringComparison.Ordinal) && !output.Contains("launcher", StringComparison.OrdinalIgnoreCase))
            {
                TestContext.Progress.WriteLine($"skipped: unshare is not permitted here: {output.Trim()}");
                Assert.Ignore($"unshare is not permitted here: {output.Trim()}");
            }

            Assert.Fail($"the launcher exited with {await exited} before its ready line:\n{output}");
        }

        return await ready;
    }

    private static string StatusText(Sandbox sandbox)
    {
        try
        {
            return File.ReadAllText(sandbox.Paths.StatusFile);
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static bool IsSleep(int pid, string seconds) => ProcessProbe.CommandLine(pid) == $"sleep {seconds}";

    private static string? Namespace(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/pid").LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Every process of the namespace, zombies included (pids as the test sees them).
    private static List<int> Members(string? link) =>
        ProcessProbe.AllPids().Where(pid => link is not null && Namespace(pid) == link).ToList();

    // The last NSpid field (proc(5)): the pid the process has in its own namespace.
    private static int? NsPidInside(int pid)
    {
        var line = File.ReadAllLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal));
        return line is null ? null : int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture);
    }
}
