using System.Collections.Concurrent;

namespace Launcher.Spawn;

/// <summary>
/// One long-lived thread that forks every worker. The kernel's parent-death signal fires when the *thread*
/// that forked a child exits (prctl(2)); a thread-pool thread retires after ~20 s idle and would take a
/// healthy worker with it. This thread lives as long as the launcher.
/// </summary>
internal sealed class SpawnThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();

    public SpawnThread()
    {
        var thread = new Thread(() =>
        {
            foreach (var action in _work.GetConsumingEnumerable())
                action();
        })
        {
            IsBackground = true,
            Name = "launcher-spawn",
        };
        thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the spawn thread.</summary>
    public Task<T> InvokeAsync<T>(Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                completion.SetResult(work());
            }
            catch (Exception ex)
            {
                completion.SetException(ex);
            }
        });
        return completion.Task;
    }

    // Stops accepting work: the thread finishes the queued actions, leaves its loop and exits, which fires the
    // parent-death signal of every worker it forked. Only RunCommand disposes it, at the very end of `launcher run`,
    // after every worker was stopped; a worker still alive then (one that survived the stop) dies with the thread.
    public void Dispose() => _work.CompleteAdding();
}
