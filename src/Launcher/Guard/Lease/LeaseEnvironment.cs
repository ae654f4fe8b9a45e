namespace Launcher.Guard.Lease;

/// <summary>Environment variables of the Redis lease.</summary>
internal static class LeaseEnvironment
{
    /// <summary>The fencing token of the current acquisition, given to workers and hooks (only ever grows).</summary>
    public const string Fence = "LAUNCHER_FENCE";

    /// <summary>The Redis password when <c>coordination.url</c> carries none (keeps it out of launcher.json).</summary>
    public const string RedisPassword = "LAUNCHER_REDIS_PASSWORD";
}
