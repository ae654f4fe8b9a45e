using Microsoft.Extensions.Logging;

namespace Launcher.Logging;

/// <summary>The Redis lease (coordination across hosts): event ids 450-499.</summary>
internal static partial class Log
{
    [LoggerMessage(450, LogLevel.Information, "Took the lease of instance '{Instance}' on {Redis}: fence {Fence}, TTL {TtlSeconds} s")]
    public static partial void LeaseAcquired(ILogger logger, string instance, string redis, long fence, double ttlSeconds);

    [LoggerMessage(451, LogLevel.Information, "Standing by: instance '{Instance}' is held by {Holder}; taking over when it ends")]
    public static partial void LeaseStandingBy(ILogger logger, string instance, string holder);

    [LoggerMessage(452, LogLevel.Warning, "Redis at {Redis} has no record of instance '{Instance}' (first use, or it lost its data): nobody takes the lease for {Seconds} s, in case a holder from before is still running")]
    public static partial void LeaseQuarantined(ILogger logger, string redis, string instance, double seconds);

    [LoggerMessage(453, LogLevel.Warning, "Redis at {Redis} is unreachable ({Problem}); still standing by, retrying every {Seconds} s")]
    public static partial void LeaseRedisLostWhileStandingBy(ILogger logger, string redis, string problem, double seconds);

    [LoggerMessage(454, LogLevel.Information, "Redis at {Redis} is reachable again; standing by")]
    public static partial void LeaseRedisBackWhileStandingBy(ILogger logger, string redis);

    [LoggerMessage(455, LogLevel.Warning, "Could not renew the lease ({Problem}); the workers stop in {Seconds:F1} s unless a renewal gets through")]
    public static partial void LeaseRenewalFailed(ILogger logger, string problem, double seconds);

    [LoggerMessage(456, LogLevel.Information, "Lease renewed again after {Failures} failed attempt(s)")]
    public static partial void LeaseRenewalRecovered(ILogger logger, int failures);

    [LoggerMessage(457, LogLevel.Error, "Lost the lease: {Reason}; stopping every worker now, SIGKILL at the latest in {Seconds:F1} s (before the lease can end)")]
    public static partial void LeaseLost(ILogger logger, string reason, double seconds);

    [LoggerMessage(458, LogLevel.Error, "Lease deadline reached: SIGKILLed {Count} process(es) that were still running")]
    public static partial void LeaseDeadlineKill(ILogger logger, int count);

    [LoggerMessage(459, LogLevel.Information, "Released the lease (fence {Fence}); a standby can take over at once")]
    public static partial void LeaseReleased(ILogger logger, long fence);

    [LoggerMessage(460, LogLevel.Warning, "Could not release the lease ({Problem}); a standby takes over when it expires, in at most {Seconds} s")]
    public static partial void LeaseReleaseFailed(ILogger logger, string problem, double seconds);

    [LoggerMessage(461, LogLevel.Information, "Stopped while standing by; nothing was started")]
    public static partial void LeaseStandbyStopped(ILogger logger);

    [LoggerMessage(462, LogLevel.Debug, "Lease {From} -> {To}")]
    public static partial void LeaseStateChanged(ILogger logger, string from, string to);
}
