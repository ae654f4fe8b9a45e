using Launcher.Agent.Protocol;
using Launcher.Platform;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Launcher.Guard.Lease;

/// <summary>
/// The coordination half of <c>launcher run</c>'s guard step, beside the local lock: nothing for
/// <c>coordination.kind: local</c>; for <c>redis</c>, the lease taken (or waited for) before anything starts,
/// <c>LAUNCHER_FENCE</c> set for workers and hooks, the run stopped when the lease is lost, and the lease released
/// after the workers are gone (dispose), so a standby takes over at once.
/// </summary>
internal sealed class CoordinationGuard : IAsyncDisposable
{
    private readonly RedisLease? _lease;
    private CancellationTokenRegistration _stopRegistration;

    private CoordinationGuard(RedisLease? lease) => _lease = lease;

    /// <summary>Set when the run ended because the lease was lost: the one line to print (exit 3).</summary>
    public string? LostMessage => _lease?.LossReason is { } reason
        ? $"lost the lease of the instance ({reason}); every worker was stopped before it could end. A standby on another host takes over; run with --standby to wait for it again."
        : null;

    /// <summary>Null when SIGINT/SIGTERM ended a standby wait: nothing was started, exit 0.</summary>
    public static async Task<CoordinationGuard?> TakeAsync(CoordinationSpec coordination, string instance, bool standby, ILogger logger)
    {
        if (coordination.Kind == CoordinationKind.Local)
        {
            // A fence inherited from a launcher's worker must not reach our workers as if it were ours.
            Environment.SetEnvironmentVariable(LeaseEnvironment.Fence, null);
            return new CoordinationGuard(null);
        }

        var lease = await LeaseGuard.TakeAsync(coordination, instance, standby, logger, TimeProvider.System);
        if (lease is null)
            return null;
        // Inherited by every worker, ping and hook command the launcher starts from here on.
        Environment.SetEnvironmentVariable(LeaseEnvironment.Fence, lease.Holder.Fence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new CoordinationGuard(lease);
    }

    /// <summary>Stops the host when the lease is lost, and SIGKILLs whatever of ours still runs at its deadline.</summary>
    public void Watch(IHostApplicationLifetime lifetime, PlatformServices platform, LauncherGuardValue guard, ILogger logger)
    {
        if (_lease is null)
            return;
        FailClosedSweep.Arm(_lease, platform, guard, logger);
        _stopRegistration = _lease.StopRequested.Register(lifetime.StopApplication);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopRegistration.DisposeAsync();
        if (_lease is not null)
            await _lease.DisposeAsync();
    }
}
