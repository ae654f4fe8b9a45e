using Launcher.Logging;
using Launcher.Spawn;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>The bounded waits at a worker's end, on the run's clock: its exit after a kill, its output drained.</summary>
internal static class WorkerWaits
{
    // After TreeKiller's grace and SIGKILL the exit event is due at once; survivors (a D-state process, another
    // uid) must not hang the stop for ever.
    public static readonly TimeSpan ExitAfterKillLimit = TimeSpan.FromSeconds(5);

    // A worker's last lines may still be in the pipe when its exit event fires; a grandchild holding the pipe
    // open must not delay the report for long.
    public static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The exit event follows a kill at once, unless the kill left the worker alive: then say so and carry on with
    /// a made-up exit rather than wait for ever.
    /// </summary>
    public static async Task<WorkerExit> ExitAfterKillAsync(RunningWorker worker, TimeProvider time, ILogger logger)
    {
        try
        {
            return await worker.Exited.WaitAsync(ExitAfterKillLimit, time);
        }
        catch (TimeoutException)
        {
            Log.AliveAfterKill(logger, worker.Display, ExitAfterKillLimit.TotalSeconds);
            return new WorkerExit(128 + 9, time.GetUtcNow());
        }
    }

    /// <summary>False when the pipes stayed open past <see cref="DrainLimit"/> (a grandchild holding them).</summary>
    public static async Task<bool> DrainAsync(RunningWorker worker, TimeProvider time)
    {
        try
        {
            await worker.Drained.WaitAsync(DrainLimit, time);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception)
        {
            // Any other exception is Drained's own fault: it has completed, so the pipes closed; how does not matter here.
            return true;
        }
    }
}
