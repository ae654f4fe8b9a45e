using Launcher.Agent.Protocol;
using Launcher.Spawn;

namespace Launcher.Supervise;

/// <summary>
/// The run's <see cref="IEndReporter"/>: records the event, removes the worker's registration and socket, starts
/// the exit hook, and closes the worker's log once its last lines are in. Hooks and log flushes run on; the stop
/// waits for them with <see cref="WhenAllReportedAsync"/>.
/// </summary>
internal sealed class EndReporter(RuntimePaths paths, ExitHook hook, RunEvents events, TimeProvider time) : IEndReporter
{
    private readonly List<Task> _pending = [];

    public void Report(int index, RunningWorker worker, WorkerExit exit, string reason)
    {
        events.Add(RunEventKind.WorkerExited, worker.Node, worker.Pid, $"{exit} ({reason})");
        events.Counters.Ended(reason);
        File.Delete(paths.RegistrationFile(worker.Pid));
        File.Delete(paths.SocketFile(worker.Pid));
        // On the pool: the hook's own fork and exec must not delay the replacement, which this slot spawns next (issue 12).
        var hookRun = Task.Run(() => hook.RunAsync(worker.Node, worker.Pid, index, exit, reason, CancellationToken.None));
        var flush = CloseLogAsync(worker);
        lock (_pending)
        {
            _pending.RemoveAll(t => t.IsCompleted);
            _pending.Add(hookRun);
            _pending.Add(flush);
        }
    }

    public Task WhenAllReportedAsync()
    {
        lock (_pending)
            return Task.WhenAll(_pending.ToArray());
    }

    // CliWrap's task completes once the pipes are drained; only then is every line in the log file.
    private async Task CloseLogAsync(RunningWorker worker)
    {
        await WorkerWaits.DrainAsync(worker, time);
        worker.Log.Dispose();
    }
}
