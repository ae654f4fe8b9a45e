using System.Text.Json;
using Launcher.Control;
using Launcher.Guard;
using Launcher.Platform;
using Launcher.Strays;

namespace Launcher.Cli;

/// <summary>
/// `launcher stop`: SIGTERM to the running launcher of the instance, then waits until it has stopped its workers and
/// exited. The holder file only names a candidate: it is signalled only when <see cref="RunningLauncher"/> proves it
/// is the live launcher holding this instance's lock, else nothing is signalled and the reason is printed. A running
/// launcher is asked over its control socket first (<see cref="ControlClient"/> proves who listens there): it answers
/// once its workers are stopped, with its exit code, so no polling of the process table until then.
/// </summary>
internal static class StopCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    // Beyond the launcher's own stop (grace + hook timeout): its host's shutdown margin.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);

    // How long the launcher has to say "stopping" before the command falls back to SIGTERM.
    private static readonly TimeSpan ReplyDeadline = TimeSpan.FromSeconds(2);

    public static Task<int> ExecuteAsync(string? configPath) => ExecuteAsync(configPath, TimeProvider.System);

    public static async Task<int> ExecuteAsync(string? configPath, TimeProvider time)
    {
        var view = InstanceView.Open(configPath);
        RuntimeDirectoryGate.Require(view.Paths, view.Platform);
        var budget = view.Spec.StopGrace + (view.Spec.OnWorkerExit?.Timeout ?? TimeSpan.Zero) + Margin;

        // The running launcher, asked over its control socket: it says when its workers are stopped, and its exit code.
        using (var client = ControlClient.Connect(view))
        {
            if (client is not null && IsStopping(client.Request("stop", ReplyDeadline)))
            {
                Console.WriteLine($"stopping launcher pid {client.Launcher.Pid} (instance '{view.Spec.Instance}') ...");
                var started = time.GetTimestamp();
                var exitCode = await WaitForExitCodeAsync(client, budget, time);
                return await WaitUntilGoneAsync(view, client.Launcher, budget - time.GetElapsedTime(started), exitCode, time);
            }
        }

        var holder = GuardHolder.TryRead(view.Paths.HolderFile);
        if (holder is null)
        {
            Console.WriteLine($"no launcher is running instance '{view.Spec.Instance}'");
            return ExitCodes.Ok;
        }

        if (RunningLauncher.Verify(view.Paths, holder, view.Platform, out var problem) is not { } identity)
        {
            // A stale or planted holder file: the lock tells whether any launcher runs at all.
            Console.WriteLine($"signalled nothing: {problem}");
            if (!IsLocked(view.Paths.LockFile))
            {
                Console.WriteLine($"no launcher is running instance '{view.Spec.Instance}'");
                return ExitCodes.Ok;
            }

            ConsoleErrors.Write($"instance '{view.Spec.Instance}' is locked ({view.Paths.LockFile}) by a process {view.Paths.HolderFile} does not name; not stopping anything");
            return ExitCodes.Failure;
        }

        Console.WriteLine($"stopping launcher pid {holder.Pid} (instance '{view.Spec.Instance}') ...");
        view.Platform.Signals.Send(identity, Signal.Terminate);
        return await WaitUntilGoneAsync(view, identity, budget, null, time);
    }

    private static bool IsStopping(string? reply)
    {
        if (reply is null)
            return false;
        try
        {
            return JsonSerializer.Deserialize(reply, ControlWireJson.Default.ControlReply)?.Stopping == true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // The launcher's second line, {"exitCode":N}, with a progress line every few seconds; null when it closed without one.
    private static async Task<int?> WaitForExitCodeAsync(ControlClient client, TimeSpan budget, TimeProvider time)
    {
        var started = time.GetTimestamp();
        var reply = client.ReadLineAsync(budget, CancellationToken.None);
        while (await Task.WhenAny(reply, Task.Delay(ProgressEvery, time)) != reply)
            Console.WriteLine($"still stopping launcher pid {client.Launcher.Pid}: {time.GetElapsedTime(started).TotalSeconds:F0} s of at most {budget.TotalSeconds:F0} s");
        if (await reply is not { } line)
            return null;
        try
        {
            return JsonSerializer.Deserialize(line, ControlWireJson.Default.ControlReply)?.ExitCode;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<int> WaitUntilGoneAsync(InstanceView view, ProcessIdentity identity, TimeSpan budget, int? exitCode, TimeProvider time)
    {
        var started = time.GetTimestamp();
        var nextProgress = ProgressEvery;
        // After its {"exitCode":N} the launcher only closes files: a short interval, so `stop` returns right after it.
        var interval = exitCode is null ? PollInterval : TimeSpan.FromMilliseconds(5);
        while (view.Platform.Processes.IsAlive(identity))
        {
            if (time.GetElapsedTime(started) > budget)
            {
                ConsoleErrors.Write($"launcher pid {identity.Pid} did not exit within {budget.TotalSeconds:F0} s; it may still be stopping its workers");
                return ExitCodes.Failure;
            }

            // Say that it is still waiting: the budget may be minutes (stopGraceSeconds + onWorkerExit.timeoutSeconds).
            if (time.GetElapsedTime(started) is var waited && waited >= nextProgress)
            {
                Console.WriteLine($"still stopping launcher pid {identity.Pid}: {waited.TotalSeconds:F0} s of at most {budget.TotalSeconds:F0} s");
                nextProgress = waited + ProgressEvery;
            }

            await Task.Delay(interval, time);
        }

        if (Kill.StopSurvivors.Describe(view.Platform.Processes, view.Spec.Instance) is { } survivors)
        {
            ConsoleErrors.Write($"launcher pid {identity.Pid} exited, but processes of instance '{view.Spec.Instance}' are still running: {survivors}");
            return ExitCodes.Failure;
        }

        if (exitCode is { } code and not ExitCodes.Ok)
        {
            ConsoleErrors.Write($"launcher pid {identity.Pid} stopped with exit code {code} (its log says why)");
            return ExitCodes.Failure;
        }

        Console.WriteLine("stopped");
        return ExitCodes.Ok;
    }

    // Does anybody hold the lock? A non-blocking attempt; taken, it is released at once (never deleted: flock(2)).
    private static bool IsLocked(string lockFile)
    {
        if (!File.Exists(lockFile))
            return false;
        try
        {
            using var probe = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
