using Launcher.Spawn;
using Launcher.Verify;

namespace Launcher.Supervise;

/// <summary>The run's <see cref="IWorkerProbe"/>: the socket protocol or <c>ping.command</c>, as configured.</summary>
internal sealed class VerifyingProbe(WorkerPinger pinger, Verifier verifier) : IWorkerProbe
{
    public Task<PingOutcome> PingAsync(RunningWorker worker, CancellationToken cancellationToken) =>
        pinger.PingAsync(worker.Node, worker.Pid, null, worker.Index, cancellationToken);

    public Task<bool> WaitUntilAnswersAsync(RunningWorker worker, TimeSpan timeout, CancellationToken cancellationToken) =>
        verifier.WaitUntilAnswersAsync(worker, timeout, cancellationToken);
}
