using Launcher.Spawn;
using Launcher.Verify;

namespace Launcher.Supervise;

/// <summary>Asks one worker whether it is alive and answers with its own node name.</summary>
internal interface IWorkerProbe
{
    /// <summary>One ping (liveness).</summary>
    Task<PingOutcome> PingAsync(RunningWorker worker, CancellationToken cancellationToken);

    /// <summary>Retries until a (replacement) worker answers, it exits, or <paramref name="timeout"/> passes.</summary>
    Task<bool> WaitUntilAnswersAsync(RunningWorker worker, TimeSpan timeout, CancellationToken cancellationToken);
}
