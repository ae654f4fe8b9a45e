using System.Globalization;
using Launcher.Supervise;
using Prometheus;

namespace Launcher.Observe;

/// <summary>
/// The /metrics document: prometheus-net's text exposition of a private registry (none of the library's default
/// process or runtime collectors, whose event listeners would cost memory in every launcher). Every value is set
/// from the <see cref="RunBoard"/>'s immutable snapshot just before the registry is written, so supervision never
/// touches a metric and a scrape never touches supervision. Scrapes are serialised among themselves.
/// </summary>
internal sealed class LauncherMetrics : IDisposable
{
    private readonly RunBoard _board;
    private readonly TimeProvider _time;
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly SemaphoreSlim _scrape = new(1, 1);

    private readonly Gauge _info;
    private readonly Gauge _phase;
    private readonly Gauge _expected;
    private readonly Gauge _running;
    private readonly Gauge _answering;
    private readonly Counter _restarts;
    private readonly Counter _ends;
    private readonly Counter _straysKilled;
    private readonly Gauge _slotState;
    private readonly Gauge _slotRestarts;
    private readonly LabelledGauge _lastPingAge;
    private readonly LabelledGauge _uptime;
    private readonly LabelledGauge _lastExitCode;
    private readonly Gauge _crashLoopExits;
    private readonly Gauge _crashLoopLimit;
    private readonly Gauge _crashLoopWindow;
    private readonly Gauge _crashLoopTripped;

    public LauncherMetrics(RunBoard board, TimeProvider time)
    {
        _board = board;
        _time = time;
        var factory = Metrics.WithCustomRegistry(_registry);
        _info = factory.CreateGauge("launcher_info", "Always 1; the instance this launcher runs.", "instance");
        _phase = factory.CreateGauge("launcher_run_phase", "1 for the run's current phase (starting, running, stopping), else 0.", "phase");
        _expected = factory.CreateGauge("launcher_workers_expected", "How many workers the run keeps (1 under --debug).");
        _running = factory.CreateGauge("launcher_workers_running", "Slots that have a worker process now.");
        _answering = factory.CreateGauge("launcher_workers_answering", "Workers that answered and are not (yet) found hung: slots in state running.");
        _restarts = factory.CreateCounter("launcher_restarts_total", "Replacement workers spawned, by why the worker they replace ended (crashed, hung, stopped: a SIGHUP rolling restart).", "reason");
        _ends = factory.CreateCounter("launcher_worker_exits_total", "Workers that ended, by reason (crashed, hung, stopped).", "reason");
        _straysKilled = factory.CreateCounter("launcher_strays_killed_total", "Stray worker trees killed at start.");
        _slotState = factory.CreateGauge("launcher_slot_state", "1 for each slot's current state, else 0.", "slot", "state");
        _slotRestarts = factory.CreateGauge("launcher_slot_restarts", "Replacements spawned in each slot.", "slot");
        _lastPingAge = new LabelledGauge(factory.CreateGauge("launcher_worker_seconds_since_last_ping", "Seconds since each worker last answered a ping.", "slot", "node"));
        _uptime = new LabelledGauge(factory.CreateGauge("launcher_worker_uptime_seconds", "Seconds since each worker was started.", "slot", "node"));
        _lastExitCode = new LabelledGauge(factory.CreateGauge("launcher_worker_last_exit_code", "Exit code of the last worker that ended in each slot (128+N: killed by signal N).", "slot", "node", "reason"));
        _crashLoopExits = factory.CreateGauge("launcher_crash_loop_recent_exits", "Unexpected exits of each slot within the crash-loop window.", "slot");
        _crashLoopLimit = factory.CreateGauge("launcher_crash_loop_limit", "restart.crashLoopCount: this many recent exits of one slot stop the instance (exit 5).");
        _crashLoopWindow = factory.CreateGauge("launcher_crash_loop_window_seconds", "restart.crashLoopWindowSeconds.");
        _crashLoopTripped = factory.CreateGauge("launcher_crash_loop_tripped", "1 once a slot reached the crash-loop limit (the launcher is giving up), else 0.");
        // Census results (issue 11: nodes the broker lists as consuming, foreign nodes, lost registrations swept) go
        // here, set from the snapshot like the rest, once the census publishes them.
    }

    /// <summary>The content type of <see cref="WriteAsync"/>'s output (Prometheus text format 0.0.4).</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public async Task WriteAsync(Stream destination, CancellationToken cancellationToken)
    {
        await _scrape.WaitAsync(cancellationToken);
        try
        {
            Update(_board.Current, _time.GetUtcNow());
            await _registry.CollectAndExportAsTextAsync(destination, cancellationToken);
        }
        finally
        {
            _scrape.Release();
        }
    }

    public void Dispose() => _scrape.Dispose();

    private void Update(RunSnapshot run, DateTimeOffset now)
    {
        _info.WithLabels(_board.Instance).Set(1);
        foreach (var phase in (string[])["starting", "running", "stopping"])
            _phase.WithLabels(phase).Set(run.State == phase ? 1 : 0);
        _expected.Set(_board.Expected);
        _running.Set(run.Slots.Count(s => s.Worker is not null));
        _answering.Set(run.Slots.Count(s => s.State == SlotStateName.Of(SlotState.Running)));
        foreach (var (reason, count) in run.Counters.RestartsByReason)
            _restarts.WithLabels(reason).IncTo(count);
        foreach (var (reason, count) in run.Counters.EndsByReason)
            _ends.WithLabels(reason).IncTo(count);
        _straysKilled.IncTo(run.Counters.Events(RunEventKind.StrayKilled));

        var pings = new List<(string[] Labels, double Value)>();
        var uptimes = new List<(string[] Labels, double Value)>();
        var exits = new List<(string[] Labels, double Value)>();
        foreach (var slot in run.Slots)
        {
            var index = slot.Index.ToString(CultureInfo.InvariantCulture);
            foreach (var state in SlotStateName.All)
                _slotState.WithLabels(index, SlotStateName.Of(state)).Set(slot.State == SlotStateName.Of(state) ? 1 : 0);
            _slotRestarts.WithLabels(index).Set(slot.Restarts);
            _crashLoopExits.WithLabels(index).Set(slot.RecentExits);
            if (slot.Worker is { } worker)
            {
                uptimes.Add(([index, worker.Node], Math.Max(0, (now - worker.StartedAt).TotalSeconds)));
                if (worker.LastPingAt is { } ping)
                    pings.Add(([index, worker.Node], Math.Max(0, (now - ping).TotalSeconds)));
            }

            if (slot.LastEnd is { } end)
                exits.Add(([index, end.Node, end.Reason], end.ExitCode));
        }

        _lastPingAge.SetExactly(pings);
        _uptime.SetExactly(uptimes);
        _lastExitCode.SetExactly(exits);
        _crashLoopLimit.Set(_board.CrashLoopLimit);
        _crashLoopWindow.Set(_board.CrashLoopWindow.TotalSeconds);
        _crashLoopTripped.Set(run.Slots.Any(s => s.RecentExits >= _board.CrashLoopLimit) ? 1 : 0);
    }
}
