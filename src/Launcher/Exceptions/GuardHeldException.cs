using System.Globalization;
using Launcher.Guard;

namespace Launcher.Exceptions;

/// <summary>Another live launcher holds this instance: exit 3, naming it.</summary>
internal sealed class GuardHeldException : LauncherException
{
    private GuardHeldException(string instance, GuardHeldReason reason, GuardHolder? holder, string? place, string? worker)
        : base(Describe(instance, reason, holder, place, worker), ExitCodes.GuardHeld)
    {
        Instance = instance;
        Reason = reason;
        Holder = holder;
        Worker = worker;
    }

    /// <summary>The instance that is held.</summary>
    public string Instance { get; }

    /// <summary>How it is held.</summary>
    public GuardHeldReason Reason { get; }

    /// <summary>The launcher that holds it; null when the lock's holder did not say who it is.</summary>
    public GuardHolder? Holder { get; }

    /// <summary>The worker the other launcher supervises (<see cref="GuardHeldReason.WorkerOwned"/> only).</summary>
    public string? Worker { get; }

    /// <summary>The instance lock is held by <paramref name="holder"/>, or (null) by a process that did not say who it is.</summary>
    public static GuardHeldException LockHeld(string instance, GuardHolder? holder, string lockFile) =>
        new(instance, GuardHeldReason.LockHeld, holder, lockFile, null);

    /// <summary>This launcher runs inside a worker of <paramref name="ancestor"/>, a live launcher of the same instance.</summary>
    public static GuardHeldException RecursiveStart(string instance, GuardHolder ancestor) =>
        new(instance, GuardHeldReason.RecursiveStart, ancestor, null, null);

    /// <summary><paramref name="owner"/> (runtime directory <paramref name="runtimeDir"/>) supervises <paramref name="worker"/>.</summary>
    public static GuardHeldException WorkerOwned(string instance, GuardHolder owner, string? runtimeDir, string worker) =>
        new(instance, GuardHeldReason.WorkerOwned, owner, runtimeDir ?? "unknown", worker);

    private static string Describe(string instance, GuardHeldReason reason, GuardHolder? holder, string? place, string? worker)
    {
        var started = holder?.StartedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        switch (reason)
        {
            case GuardHeldReason.LockHeld when holder is null:
                return $"instance '{instance}' is locked by another process ({place}), which did not say who it is";
            case GuardHeldReason.LockHeld:
                return $"instance '{instance}' is already run by another launcher: pid {holder.Pid}, started {started}, " +
                    $"command line: {holder.CommandLine}. Stop it with `launcher stop` (config {holder.ConfigFile}).";
            case GuardHeldReason.RecursiveStart:
                return $"this launcher runs inside a worker of launcher pid {holder!.Pid} (instance '{instance}', started {started}, " +
                    $"command line: {holder.CommandLine}); a recursive start would duplicate its workers. " +
                    "Unset LAUNCHER_GUARD only if that is really intended.";
            default:
                return $"instance '{instance}' is already run by launcher pid {holder!.Pid} (runtime dir {place}; started {started}, " +
                    $"command line: {holder.CommandLine}), which supervises {worker}. " +
                    "Stop that launcher first, or run both with the same LAUNCHER_RUNTIME_DIR so its guard is seen.";
        }
    }
}
