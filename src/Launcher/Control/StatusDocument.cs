using System.Text.Json;
using Launcher.Guard.Lease;
using Launcher.Logging;
using Launcher.Supervise;

namespace Launcher.Control;

/// <summary>
/// The one builder of the status document a running launcher gives about itself: `launcher status` over the
/// control socket, and the status page's /status.json, so that both equal `launcher status --json`. From memory
/// only: no process table scan; the log file name is the newest of its rolled set (a directory listing), and with
/// <c>coordination.kind: redis</c> the lease is read from Redis, as discovery does.
/// </summary>
internal static class StatusDocument
{
    public static async Task<StatusReport> BuildAsync(LiveRun run, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var workers = run.Workers().Select(w => new StatusEntry(
            w.Worker.Node,
            w.Worker.Pid,
            (long)(now - w.Worker.StartedAt).TotalSeconds,
            w.Worker.LastPingAt,
            LogFileSet.CurrentFile(w.Worker.Log.Path),
            w.Slot.Restarts,
            "supervised")).ToList();
        var spec = run.Effective.Spec;
        return new StatusReport(
            spec.Instance,
            run.Holder,
            StatusPublisher.StateOf(run.Phase),
            workers,
            run.Effective.Workers,
            run.Events,
            spec.Coordination.Kind == CoordinationKind.Redis
                ? await LeaseInspector.ReadAsync(spec.Coordination, spec.Instance, cancellationToken)
                : null,
            StatusReport.FromLauncher)
        {
            Census = run.Census?.Snapshot(),
        };
    }

    /// <summary>The document exactly as `launcher status --json` prints it.</summary>
    public static string ToJson(StatusReport report) => JsonSerializer.Serialize(report, StatusJsonContext.Default.StatusReport);
}
