using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 4, the worker exit hook: <c>onWorkerExit</c> runs after every worker that ends, with the node name, pid,
/// index, exit code or signal and the reason in its environment. One launcher lives through all three reasons:
/// the first worker crashes, its replacement hangs, the third is stopped by SIGTERM.
/// </summary>
[TestFixture]
public sealed class ExitHookTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Test, CancelAfter(90_000)]
    public async Task The_exit_hook_gets_node_pid_exit_status_and_reason_for_a_crash_a_hang_and_a_stop(CancellationToken cancellationToken)
    {
        // Arrange: each hook run dumps its LAUNCHER_* variables to hook-<pid>-<reason>.env in the sandbox and says so.
        await using var sandbox = new Sandbox();
        var config = new LauncherConfig
        {
            // Two misbehaviours in turn (crash, then hang, then behave) need a chain SampleWorker's one-shot
            // --only-once cannot express: the shell only picks the flags, then execs SampleWorker (same pid).
            Command = Supervision.OnceCommand(sandbox.Dir,
                ("crash-once", ["--crash-after", "3", "--exit-code", "7"]),
                ("hang-once", ["--hang-after", "1.5"])),
            Ping = new { intervalSeconds = 0.5, timeoutSeconds = 0.5, missedLimit = 2 },
            Restart = new { initialDelaySeconds = 0.1 },
            OnWorkerExit = new
            {
                command = (string[])["/bin/sh", "-c", "env | grep ^LAUNCHER_ > \"$0/hook-$LAUNCHER_WORKER_PID-$LAUNCHER_EXIT_REASON.env\"; echo \"hook saw $LAUNCHER_EXIT_REASON\"", sandbox.Dir],
                timeoutSeconds = 10,
            },
            StopGraceSeconds = 1,
        };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var launcher = run.Process;
        var crashing = run.Workers.Single().Pid;

        // Act: the crash and the hang happen by themselves; the stop is ours.
        await launcher.WaitForLineAsync(line => line.Contains("(hung)", StringComparison.Ordinal), Deadline, cancellationToken);
        await Eventually.TrueAsync(() => Supervision.StartedPids(launcher).Count >= 3, Deadline, "a third worker started", cancellationToken);
        var started = Supervision.StartedPids(launcher);
        var (hanging, stopped) = (started[1], started[2]);
        await Supervision.EventuallyAsync(launcher, async () => (await Supervision.PingAsync(sandbox, cancellationToken)).IsExactlyOne(stopped),
            Deadline, "the third worker answers", cancellationToken);
        var exitCode = await run.StopAsync(cancellationToken);

        // Assert
        var crash = HookEnv(sandbox, crashing, "crashed");
        var hang = HookEnv(sandbox, hanging, "hung");
        var stop = HookEnv(sandbox, stopped, "stopped");
        var files = Directory.GetFiles(sandbox.Dir, "hook-*.env").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(0), launcher.Output);
            Assert.That(files, Is.EquivalentTo(new[]
            {
                $"hook-{crashing}-crashed.env", $"hook-{hanging}-hung.env", $"hook-{stopped}-stopped.env",
            }), "one hook run per ended worker, with its reason");

            foreach (var (env, pid) in new[] { (crash, crashing), (hang, hanging), (stop, stopped) })
            {
                Assert.That(env["LAUNCHER_INSTANCE"], Is.EqualTo(sandbox.Instance));
                Assert.That(env["LAUNCHER_NODE"], Does.StartWith($"api{pid}@"));
                Assert.That(env["LAUNCHER_WORKER_PID"], Is.EqualTo($"{pid}"));
                Assert.That(env["LAUNCHER_WORKER_INDEX"], Is.EqualTo("0"));
                Assert.That(env["LAUNCHER_ROLE"], Is.EqualTo("hook"));
            }

            Assert.That(crash["LAUNCHER_EXIT_CODE"], Is.EqualTo("7"), "a crash carries its exit code");
            Assert.That(crash["LAUNCHER_EXIT_SIGNAL"], Is.Empty);
            Assert.That(hang["LAUNCHER_EXIT_CODE"] + hang["LAUNCHER_EXIT_SIGNAL"], Is.Not.Empty, "a hang carries how the kill ended it");
            Assert.That(stop["LAUNCHER_EXIT_CODE"], Is.EqualTo("0"), "a graceful stop exits 0");
            Assert.That(stop["LAUNCHER_EXIT_SIGNAL"], Is.Empty);
            Assert.That(launcher.Output, Does.Contain($"onWorkerExit [api{crashing}@").And.Contain("] hook saw crashed"),
                "the hook's output is in the launcher log");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    private static Dictionary<string, string> HookEnv(Sandbox sandbox, int pid, string reason)
    {
        var path = Path.Combine(sandbox.Dir, $"hook-{pid}-{reason}.env");
        Assert.That(File.Exists(path), Is.True, $"the hook ran for pid {pid} ({reason}); files: " +
            string.Join(", ", Directory.GetFiles(sandbox.Dir, "hook-*").Select(Path.GetFileName)));
        var env = Supervision.ReadEnvFile(path);
        Assert.That(env["LAUNCHER_EXIT_REASON"], Is.EqualTo(reason));
        return env;
    }
}
