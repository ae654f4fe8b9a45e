using System.Runtime.Versioning;

namespace Launcher.Platform.Windows;

/// <summary>
/// Reads a worker's stdout or stderr on Windows on a thread of its own. A redirected process's pipes are anonymous
/// pipes, which Windows cannot read overlapped, so <see cref="Stream.ReadAsync(Memory{byte}, CancellationToken)"/> on
/// them is a blocking <c>ReadFile</c> queued to the thread pool: two pool threads held for every worker, for its
/// whole life. With the pool's floor at one thread per core, and the pool adding threads slowly when the machine is
/// busy, ten workers' idle pipes left nothing for verification and pings (under Wine on a loaded box the launcher
/// stalled for minutes). Here the blocking read holds a dedicated thread, never a pool one.
/// </summary>
[SupportedOSPlatform("windows")]
internal static class WorkerOutputThread
{
    /// <summary>Runs <paramref name="pump"/> on a new background thread, handing it <paramref name="output"/> read synchronously; completes when it returns.</summary>
    public static Task RunAsync(Stream output, string name, Action<Stream> pump)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                pump(new SynchronousReads(output));
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = $"worker {name}",
        };
        thread.Start();
        return done.Task;
    }
}
