using Launcher.Config;
using Launcher.Supervise;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>Issue 9: `--debug` is decided once, folded into the spec the run follows.</summary>
[TestFixture]
public sealed class EffectiveSpecTests
{
    private static readonly LauncherSpec Config = new(
        Instance: "unit",
        SourceDescription: "test",
        BaseDirectory: "/tmp",
        Command: new CommandTemplate(["/bin/true"]),
        WorkingDirectory: "/tmp",
        Environment: new Dictionary<string, string>(),
        Workers: 3,
        LogDir: "/tmp/logs",
        StartTimeout: TimeSpan.FromSeconds(30),
        StopGrace: TimeSpan.FromSeconds(10),
        LogFileSizeLimitBytes: 1 << 20,
        LogFilesRetained: 3,
        Ping: new PingSpec(null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), 3),
        Restart: SlotHarness.Restart,
        StrayPatterns: [],
        OnWorkerExit: null);

    [Test]
    public void Debug_runs_one_worker_without_restarts_hang_kills_or_a_short_start_timeout()
    {
        // Act
        var effective = EffectiveSpec.Resolve(Config, new RunFlags(Debug: true, NoKill: false));
        var policy = SlotPolicy.From(effective);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(effective.Workers, Is.EqualTo(1));
            Assert.That(effective.Spec.Restart.Enabled, Is.False);
            Assert.That(effective.Spec.StartTimeout, Is.EqualTo(TimeSpan.FromMinutes(30)));
            Assert.That(effective.EchoWorkerOutput, Is.True);
            Assert.That(policy.KillHung, Is.False);
            Assert.That(policy.Restart, Is.False);
            Assert.That(policy.NoRestartReason, Is.EqualTo("--debug"));
        });
    }

    [Test]
    public void Without_debug_the_config_is_followed_as_written()
    {
        // Act
        var effective = EffectiveSpec.Resolve(Config, new RunFlags(Debug: false, NoKill: true));
        var policy = SlotPolicy.From(effective);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(effective.Spec, Is.SameAs(Config));
            Assert.That(effective.Workers, Is.EqualTo(3));
            Assert.That(effective.NoKill, Is.True);
            Assert.That(policy.KillHung, Is.True);
            Assert.That(policy.Restart, Is.True);
            Assert.That(policy.NoRestartReason, Is.EqualTo("restart.enabled=false"));
        });
    }
}
