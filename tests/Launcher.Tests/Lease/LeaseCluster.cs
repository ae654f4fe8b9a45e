using Launcher.Tests.Support;

namespace Launcher.Tests.Lease;

/// <summary>
/// What every multi-host test starts from: a sandbox, a private redis-server whose fence counter is seeded (as on a
/// Redis that served the instance before), and simulated hosts sharing one lease TTL. Disposing takes the hosts
/// down first, then Redis, then the sandbox, so a failing test leaves nothing behind.
/// </summary>
internal sealed class LeaseCluster : IAsyncDisposable
{
    // A deadline, not a measurement: builds and starts on a loaded box are slow.
    public static readonly TimeSpan StartBudget = TimeSpan.FromSeconds(60);

    private readonly List<SimulatedHost> _hosts = [];

    private LeaseCluster(Sandbox sandbox, RedisServer redis, double ttlSeconds)
    {
        Sandbox = sandbox;
        Redis = redis;
        TtlSeconds = ttlSeconds;
    }

    public Sandbox Sandbox { get; }

    public RedisServer Redis { get; }

    public double TtlSeconds { get; }

    public static async Task<LeaseCluster> StartAsync(double ttlSeconds, long fence = 0, CancellationToken cancellationToken = default)
    {
        var sandbox = new Sandbox();
        try
        {
            var redis = await RedisServer.StartAsync(sandbox, cancellationToken);
            await LeaseHosts.SeedAsync(redis.Url, sandbox.Instance, fence);
            return new LeaseCluster(sandbox, redis, ttlSeconds);
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes host <paramref name="name"/>'s launcher.json, pointing at <paramref name="redisUrl"/> (this cluster's Redis by default).</summary>
    public string ConfigOf(string name, string? redisUrl = null) => LeaseHosts.WriteConfig(Sandbox, name, redisUrl ?? Redis.Url, TtlSeconds);

    /// <summary>Starts <c>launcher run</c> as host <paramref name="name"/> without waiting for anything.</summary>
    public SimulatedHost Start(string name, string? redisUrl = null, params string[] extraArgs)
    {
        var host = SimulatedHost.Start(Sandbox, name, ConfigOf(name, redisUrl), extraArgs);
        _hosts.Add(host);
        return host;
    }

    /// <summary>Starts host <paramref name="name"/> and waits for its ready line: it holds the lease.</summary>
    public async Task<SimulatedHost> StartHolderAsync(string name, CancellationToken cancellationToken, string? redisUrl = null)
    {
        var host = Start(name, redisUrl);
        await host.Process.WaitForLineAsync("ready:", StartBudget, cancellationToken);
        return host;
    }

    /// <summary>Starts host <paramref name="name"/> with <c>--standby</c> and waits until it says it stands by.</summary>
    public async Task<SimulatedHost> StartStandbyAsync(string name, CancellationToken cancellationToken)
    {
        var host = Start(name, null, "--standby");
        await host.Process.WaitForLineAsync("Standing by", StartBudget, cancellationToken);
        return host;
    }

    /// <summary>Starts every named host with <c>--standby</c> and returns them all and the one that became ready first.</summary>
    public async Task<(IReadOnlyList<SimulatedHost> Hosts, SimulatedHost First)> StartContendersAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var hosts = names.Select(name => Start(name, null, "--standby")).ToList();
        return (hosts, await FirstReadyAsync(hosts, cancellationToken));
    }

    /// <summary>The host among <paramref name="hosts"/> that prints its ready line first.</summary>
    public static async Task<SimulatedHost> FirstReadyAsync(IEnumerable<SimulatedHost> hosts, CancellationToken cancellationToken)
    {
        var list = hosts.ToList();
        var waits = list.Select(h => h.Process.WaitForLineAsync("ready:", StartBudget, cancellationToken)).ToList();
        var first = await Task.WhenAny(waits);
        await first;
        return list[waits.IndexOf(first)];
    }

    public HostSampler Sampler() => new(Sandbox.Instance);

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
            await host.DisposeAsync();
        await Redis.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}
