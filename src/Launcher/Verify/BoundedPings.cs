namespace Launcher.Verify;

/// <summary>
/// Runs one ping per item, all at once but at most <see cref="MaxParallel"/> at a time: 50 workers verified together,
/// without 50 <c>ping.command</c> processes forked in the same instant.
/// </summary>
internal static class BoundedPings
{
    public const int MaxParallel = 16;

    public static async Task<TResult[]> RunAsync<TItem, TResult>(IEnumerable<TItem> items, Func<TItem, Task<TResult>> ping, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(MaxParallel);
        return await Task.WhenAll(items.Select(async item =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                return await ping(item);
            }
            finally
            {
                slots.Release();
            }
        }));
    }
}
