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

    // Only stops accepting work; the thread itself stays until the process exits, so no worker ever loses it.
    public void Dispose() => _work.CompleteAdding();
}
