using System.Globalization;
using Launcher.Guard;

namespace Launcher.Exceptions;

/// <summary>
/// Another launcher holds this user's name for the instance (<see cref="UserInstanceLock"/>), whatever its runtime
/// directory: exit 3, naming it.
/// </summary>
internal sealed class InstanceNameHeldException : LauncherException
{
    public InstanceNameHeldException(string instance, string name, GuardHolder? holder, int? holderUserId, string? runtimeDir)
        : base(Describe(instance, name, holder, holderUserId, runtimeDir), ExitCodes.GuardHeld)
    {
        Instance = instance;
        Holder = holder;
        HolderUserId = holderUserId;
        RuntimeDir = runtimeDir;
    }

    /// <summary>The instance that is held.</summary>
    public string Instance { get; }

    /// <summary>The launcher that holds the name; null when it could not be identified.</summary>
    public GuardHolder? Holder { get; }

    /// <summary>The uid of the process that holds the name (another user's squatting process included); null when unknown.</summary>
    public int? HolderUserId { get; }

    /// <summary>The holder's runtime directory, from its environment.</summary>
    public string? RuntimeDir { get; }

    private static string Describe(string instance, string name, GuardHolder? holder, int? holderUserId, string? runtimeDir)
    {
        if (holder is null)
        {
            return holderUserId is { } uid
                ? $"the name @{name} that guards instance '{instance}' is held by uid {uid}, not by you; refusing to start"
                : $"instance '{instance}' is already run by another launcher of yours (it holds the name @{name}), which did not say who it is";
        }

        var started = holder.StartedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        return $"instance '{instance}' is already run by launcher pid {holder.Pid} (runtime dir {runtimeDir ?? "unknown"}; started {started}, " +
            $"command line: {holder.CommandLine}). Stop it with `launcher stop` (with LAUNCHER_RUNTIME_DIR={runtimeDir ?? "its runtime dir"}).";
    }
}
