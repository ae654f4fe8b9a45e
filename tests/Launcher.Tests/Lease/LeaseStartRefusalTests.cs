using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests.Lease;

/// <summary>Bad coordination at start: one line, exit 2 or 3, nothing started (the real launcher, a real redis-server).</summary>
[TestFixture]
public sealed class LeaseStartRefusalTests
{
    [Test]
    [CancelAfter(120_000)]
    public async Task An_unreachable_Redis_is_exit_3_in_one_line_and_nothing_starts(CancellationToken cancellationToken)
    {
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
        await redis.KillAsync();

        var (exit, errors) = await RunAsync(sandbox, LeaseHosts.WriteConfig(sandbox, "alpha", $"redis://:topsecret@127.0.0.1:{redis.Port}", 2), cancellationToken);

        Assert.That(exit, Is.EqualTo(3));
        Assert.That(errors.Single(), Does.Contain("unreachable").And.Not.Contain("topsecret"));
        Assert.That(ProcessProbe.PidsWithMarker(sandbox.Instance), Is.Empty);
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task A_wrong_password_is_exit_2_in_one_line_that_never_shows_it(CancellationToken cancellationToken)
    {
        await using var sandbox = new Sandbox();
        await using var redis = await RedisServer.StartAsync(sandbox, "right-one", cancellationToken);

        var (exit, errors) = await RunAsync(sandbox, LeaseHosts.WriteConfig(sandbox, "alpha", $"redis://:wrong-one@127.0.0.1:{redis.Port}", 2), cancellationToken);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(errors.Single(), Does.Contain("coordination.url").And.Not.Contain("wrong-one").And.Not.Contain("right-one"));
        Assert.That(ProcessProbe.PidsWithMarker(sandbox.Instance), Is.Empty);
    }

    [TestCase("redis//no-scheme:6379")]
    [TestCase("http://127.0.0.1:6379")]
    [TestCase("redis://:pw@127.0.0.1:6379/not-a-db")]
    [CancelAfter(120_000)]
    public async Task A_malformed_URL_is_exit_2_naming_the_key(string url, CancellationToken cancellationToken)
    {
        await using var sandbox = new Sandbox();

        var (exit, errors) = await RunAsync(sandbox, LeaseHosts.WriteConfig(sandbox, "alpha", url, 2), cancellationToken);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(errors.Single(), Does.Contain("coordination.url").And.Not.Contain(":pw@"));
    }

    private static async Task<(int Exit, IReadOnlyList<string> Errors)> RunAsync(Sandbox sandbox, string config, CancellationToken cancellationToken)
    {
        await using var launcher = LauncherProcess.Start(sandbox, ["run", "--config", config]);
        var exit = await launcher.WaitForExitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        // Log lines share stderr with the error; the error is the line that starts with "launcher:".
        return (exit, launcher.StderrLines.Where(line => line.StartsWith("launcher:", StringComparison.Ordinal)).ToList());
    }
}
