using System.Globalization;
using Launcher.Exceptions;

namespace Launcher.Guard.Lease;

/// <summary>
/// The Redis lease cannot be had: another host holds it, or Redis cannot be reached. Exit 3, before anything
/// starts. Carries its data; the one-line message is built here and never contains credentials.
/// </summary>
internal sealed class LeaseUnavailableException : LauncherException
{
    private LeaseUnavailableException(string instance, string redis, LeaseHolder? holder, string message)
        : base(message, ExitCodes.GuardHeld)
    {
        Instance = instance;
        Redis = redis;
        Holder = holder;
    }

    public string Instance { get; }

    /// <summary>The Redis, without credentials.</summary>
    public string Redis { get; }

    /// <summary>The host that holds the lease, when that is the reason (null: unreadable, or Redis unreachable).</summary>
    public LeaseHolder? Holder { get; }

    public static LeaseUnavailableException HeldElsewhere(string instance, string redis, LeaseHolder? holder, TimeSpan remaining) =>
        new(instance, redis, holder,
            $"instance '{instance}' runs on another host: {holder?.Describe() ?? "a launcher of another version"} (lease on {redis}, " +
            $"expires in {remaining.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s unless renewed). " +
            "`launcher run --standby` waits and takes over when it stops.");

    public static LeaseUnavailableException Unreachable(string instance, string redis, string reason) =>
        new(instance, redis, null,
            $"cannot take the lease of instance '{instance}': Redis at {redis} is unreachable ({reason}); nothing was started (fail closed). " +
            $"Check {CoordinationSpec.UrlKey} and that Redis runs.");
}
