using System.Runtime.Versioning;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, "a ping program that disappears": a ping command deleted while the fleet runs is the probe's failure,
/// said once, loudly; the healthy workers are not called hung, not killed, and the launcher notices the repair.
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
public sealed class BrokenProbeTests
{
    [Test, CancelAfter(180_000)]
    public async Task A_deleted_ping_script_is_reported_once_and_the_workers_keep_running(CancellationToken cancellationToken)
    {
        // Arrange: two workers pinged every 0.5 s by a script; two misses would make a worker hung.
        await using var sandbox = new Sandbox();
        var script = Path.Join(sandbox.Dir, "ping.sh");
        WriteScript(script);
        var config = new LauncherConfig
        {
            Command = ["/bin/sleep", "600"],
            Workers = 2,
            Ping = new { command = new[] { script, "{node}" }, intervalSeconds = 0.5, timeoutSeconds = 10, missedLimit = 2 },
            Restart = new { initialDelaySeconds = 0.1 },
            StopGraceSeconds = 2,
        };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var workers = run.Workers.Select(w => w.Identity).ToList();

        // Act: the script disappears, for several times missedLimit intervals, then comes back.
        File.Delete(script);
        var broken = await run.WaitForLineAsync("ping command is broken", cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(4), cancellationToken); // 8 ping rounds: 4 times what makes a worker hung
        var whileBroken = run.Output;
        WriteScript(script);
        await run.WaitForLineAsync("ping command works again", cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(broken, Does.Contain("ping.sh"), "the message names the broken program");
            Assert.That(CountOf(whileBroken, "ping command is broken"), Is.EqualTo(1), "said once, not once per ping or worker");
            Assert.That(whileBroken, Does.Not.Contain("pings in a row: hung"), whileBroken);
            Assert.That(whileBroken, Does.Not.Contain("missed ping"), "a broken probe is no missed ping");
            Assert.That(whileBroken, Does.Not.Contain("ended:"), whileBroken);
            Assert.That(workers.Select(w => w.IsAlive), Has.All.True, "the same workers still run");
        });

        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), run.Output);
    }

    private static void WriteScript(string path)
    {
        File.WriteAllText(path, "#!/bin/sh\necho \"$1\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static int CountOf(string text, string part) =>
        text.Split('\n').Count(line => line.Contains(part, StringComparison.Ordinal));
}
