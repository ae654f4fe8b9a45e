using System.Globalization;
using Launcher.Agent.Protocol;
using Launcher.Config;
using Launcher.Exceptions;
using Launcher.Guard;
using Launcher.Platform;
using Launcher.Strays;

namespace Launcher.Cli;

/// <summary>
/// `launcher run --replace` (issue 13, part 8): before taking the guard, stop the launcher that runs this instance
/// now and wait for it to exit, so that an IDE's Run after its Stop (which SIGKILLs `dotnet run` and orphans the
/// launcher) restarts instead of failing with exit 3. The same proof as `launcher stop` (<see cref="RunningLauncher"/>:
/// the holder file's identity is alive, ours, runs a launcher binary and holds this instance's lock) decides whether
/// anything is signalled; otherwise nothing is, and the guard that follows says who holds the instance, if anyone.
/// </summary>
internal static class LauncherReplacement
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    // Beyond the old launcher's own stop (grace + hook timeout): its host's shutdown margin, as `launcher stop` allows.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);

    /// <summary>Stops the proven running launcher of the instance, if any, and returns once it has exited.</summary>
    public static async Task StopRunningAsync(LauncherSpec spec, RuntimePaths paths, PlatformServices platform, TimeProvider time)
    {
        RuntimeDirectoryGate.Require(paths, platform);
        var holder = GuardHolder.TryRead(paths.HolderFile);
        if (holder is null || holder.Pid == Environment.ProcessId)
            return;

        if (RunningLauncher.Verify(paths, holder, platform, out var problem) is not { } identity)
        {
            // A stale or planted holder file: the instance lock decides next (free: run; held: exit 3 naming it).
            Console.Error.WriteLine($"--replace: signalled nothing: {problem}");
            return;
        }

        if (IsAncestor(holder.Pid, platform.Processes))
            throw new ReplaceFailedException(holder.Pid, $"--replace: launcher pid {holder.Pid} of instance '{spec.Instance}' is an ancestor of this launcher (started from one of its workers); not stopping it");

        var budget = spec.StopGrace + (spec.OnWorkerExit?.Timeout ?? TimeSpan.Zero) + Margin;
        Console.Error.WriteLine($"--replace: stopping launcher pid {holder.Pid} of instance '{spec.Instance}' (started {holder.StartedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}) ...");
        platform.Signals.Send(identity, Signal.Terminate);

        var started = time.GetTimestamp();
        var nextProgress = ProgressEvery;
        while (platform.Processes.IsAlive(identity))
        {
            var waited = time.GetElapsedTime(started);
            if (waited > budget)
                throw new ReplaceFailedException(holder.Pid, $"--replace: launcher pid {holder.Pid} of instance '{spec.Instance}' did not exit within {budget.TotalSeconds:F0} s; it may still be stopping its workers (try `launcher stop`)");
            // Say that it is still waiting: the budget may be minutes (stopGraceSeconds + onWorkerExit.timeoutSeconds).
            if (waited >= nextProgress)
            {
                Console.Error.WriteLine($"--replace: still waiting for launcher pid {holder.Pid} to stop its workers: {waited.TotalSeconds:F0} s of at most {budget.TotalSeconds:F0} s");
                nextProgress = waited + ProgressEvery;
            }

            await Task.Delay(PollInterval, time);
        }

        Console.Error.WriteLine($"--replace: launcher pid {holder.Pid} has stopped; taking over");
    }

    // Never our own ancestor (KillSafety): a worker running `launcher run --replace` must not stop its own launcher.
    private static bool IsAncestor(int pid, IProcessTable processes)
    {
        for (var current = processes.Get(Environment.ProcessId)?.ParentPid ?? 0; current > 1;)
        {
            if (current == pid)
                return true;
            current = processes.Get(current)?.ParentPid ?? 0;
        }

        return false;
    }
}
