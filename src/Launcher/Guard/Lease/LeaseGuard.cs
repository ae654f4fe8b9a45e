using System.Runtime.InteropServices;
using Launcher.Agent.Protocol;
using Launcher.Logging;
using Microsoft.Extensions.Logging;

namespace Launcher.Guard.Lease;

/// <summary>
/// The guard step of <c>launcher run</c> for <c>coordination.kind: redis</c>, taken after the local lock: connect
/// (a bad password or an unreachable server is one line and an exit code before anything starts), then take the
/// lease or stand by for it. SIGINT/SIGTERM while standing by ends the wait cleanly (null: nothing was started).
/// </summary>
internal static class LeaseGuard
{
    public static async Task<RedisLease?> TakeAsync(CoordinationSpec coordination, string instance, bool standby, ILogger logger, TimeProvider time)
    {
        var target = coordination.Redis ?? throw new InvalidOperationException("coordination.kind redis without a target");
        var timing = new LeaseTiming(coordination.Ttl);
        var keys = new LeaseKeys(instance);
        using var stopped = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        var redis = await RedisConnection.ConnectAsync(target, timing, instance, stopped.Token);
        try
        {
            var self = new LeaseParty(SelfIdentity.HostName, Environment.ProcessId, time.GetUtcNow(), Guid.NewGuid().ToString("N"));
            var acquired = await new LeaseAcquirer(redis, target, keys, timing, logger, time).AcquireAsync(self, standby, stopped.Token);
            Log.LeaseAcquired(logger, instance, target.Display, acquired.Holder.Fence, timing.Ttl.TotalSeconds);
            return new RedisLease(redis, keys, timing, acquired.Value, acquired.Holder, acquired.SentAtTimestamp, logger, time);
        }
        catch (OperationCanceledException) when (stopped.IsCancellationRequested)
        {
            await redis.DisposeAsync();
            Log.LeaseStandbyStopped(logger);
            return null;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopped.Cancel();
        }
    }
}
