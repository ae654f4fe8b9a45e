using System.Diagnostics;
using System.Text;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;

namespace Launcher.Tests.Lease;

/// <summary>
/// Which simulated hosts run a live worker of an instance right now, seen from outside every namespace: each
/// worker process carries <c>LAUNCHER_INSTANCE</c> and <c>LAUNCHER_NODE=api&lt;pid&gt;@&lt;host&gt;</c>, and the host
/// in the node name is its namespace's hostname. <see cref="RunAsync"/> samples on a period and keeps the
/// longest stretches with zero and with two or more hosts.
/// </summary>
internal sealed class HostSampler(string instance)
{
    private readonly byte[] _marker = Encoding.UTF8.GetBytes($"{EnvironmentNames.Instance}={instance}\0");

    public int Samples { get; private set; }

    /// <summary>The most hosts ever seen running a worker at one sample.</summary>
    public int MostHostsAtOnce { get; private set; }

    /// <summary>The longest stretch (between samples) in which two or more hosts ran a worker.</summary>
    public TimeSpan LongestTwo { get; private set; }

    /// <summary>The longest stretch in which no host ran a worker (measured after the first host ran one).</summary>
    public TimeSpan LongestZero { get; private set; }

    /// <summary>The hosts with a live worker process now.</summary>
    public IReadOnlySet<string> HostsNow()
    {
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pid in ProcessProbe.AllPids())
        {
            if (WorkerHost(pid) is { } host && ProcessProbe.IsAlive(pid))
                hosts.Add(host);
        }

        return hosts;
    }

    /// <summary>Samples every <paramref name="period"/> until cancelled (returns normally then).</summary>
    public async Task RunAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? zeroSince = null;
        TimeSpan? twoSince = null;
        var seenOne = false;
        using var timer = new PeriodicTimer(period);
        while (!cancellationToken.IsCancellationRequested)
        {
            var count = HostsNow().Count;
            var now = clock.Elapsed;
            Samples++;
            MostHostsAtOnce = Math.Max(MostHostsAtOnce, count);
            seenOne |= count > 0;
            zeroSince = count == 0 && seenOne ? zeroSince ?? now : null;
            twoSince = count >= 2 ? twoSince ?? now : null;
            if (zeroSince is { } z && now - z > LongestZero)
                LongestZero = now - z;
            if (twoSince is { } t && now - t + period > LongestTwo)
                LongestTwo = now - t + period; // one sample with two hosts counts as at least one period
            try
            {
                await timer.WaitForNextTickAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private string? WorkerHost(int pid)
    {
        byte[] environ;
        try
        {
            environ = File.ReadAllBytes($"/proc/{pid}/environ");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (environ.AsSpan().IndexOf(_marker) < 0)
            return null;
        const string Node = EnvironmentNames.Node + "=";
        foreach (var entry in Encoding.UTF8.GetString(environ).Split('\0'))
        {
            if (entry.StartsWith(Node, StringComparison.Ordinal) && entry.IndexOf('@', StringComparison.Ordinal) is var at and > 0)
                return entry[(at + 1)..];
        }

        return null;
    }
}
