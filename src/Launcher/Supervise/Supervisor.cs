using System.Runtime.InteropServices;
using Launcher.Exceptions;
using Launcher.Logging;
using Launcher.Spawn;
using Launcher.Strays;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// The body of `launcher run` after the guard, as run phases (<see cref="RunPhase"/>): Starting (watchdog, stray
/// sweep, spawn, verify) -> Supervising (the slots keep their workers alive) -> Stopping (one kill, reports) ->
/// Stopped. Failures of one worker are handled in its slot; a fatal error ends the run with its exit code, and the
/// `finally` always stops every worker tree before the host exits.
/// </summary>
/// <remarks>
/// The supervisor's task owns the phase, the slot list and the supervision token; each slot's loop owns its slot;
/// the SIGHUP handler only reads the phase and queues a rolling restart; housekeeping (on SIGCHLD and on run
/// events, never on a timer) only reads.
/// </remarks>
internal sealed class Supervisor : BackgroundService
{
    private readonly RunContext _context;
    private readonly IRunReporter _reporter;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<Supervisor> _logger;
    private readonly List<WorkerSlot> _slots = [];
    private readonly RunEvents _events;
    private readonly RunPhaseMachine _phase;
    private readonly StatusPublisher _status;
    private readonly RollingRestart _rolling;
    private readonly Housekeeping _housekeeping;
    private readonly WatchdogKeeper _watchdog;
    private readonly EndReporter _ends;
    private readonly WorkerTrees _trees;
    private readonly SupervisionHeartbeat _heartbeat;
    private readonly SystemdWatchdog? _systemdWatchdog;
    private readonly SupervisionFreezeHook _freeze;
    private readonly Census.RunCensus? _census;
    private CancellationTokenSource? _supervision;

    public Supervisor(RunContext context, IRunReporter reporter, IHostApplicationLifetime lifetime, ILogger<Supervisor> logger)
    {
        _context = context;
        _reporter = reporter;
        _lifetime = lifetime;
        _logger = logger;
        _events = new RunEvents(context.Time);
        _phase = new RunPhaseMachine(_events, logger);
        _census = Census.RunCensus.For(context, _events, logger);
        _status = new StatusPublisher(context.Paths.StatusFile, context.Spec.Instance, context.Effective.Workers, _events, logger, context.Board) { Census = _census?.Record };
        _rolling = new RollingRestart(_slots, PublishStatus, logger);
        _watchdog = new WatchdogKeeper(context.Guard, context.Containment.WatchdogCgroup, context.Children, logger);
        _ends = new EndReporter(context.Paths, context.Hook, _events, context.Time);
        _trees = new WorkerTrees(context.Finder, context.Killer, context.Platform.Processes, context.Children, context.Spec.StopGrace, logger);
        // systemd: STATUS= follows every run event; WATCHDOG=1 only while housekeeping's heartbeat round beats.
        _events.Added += ReportWorkers;
        _heartbeat = new SupervisionHeartbeat(context.Time);
        if (SystemdNotifier.WatchdogInterval is { } pingEvery)
            _systemdWatchdog = new SystemdWatchdog(pingEvery, _heartbeat, context.Time, SystemdNotifier.Notify, logger);
        _freeze = SupervisionFreezeHook.FromEnvironment(logger);
        // Event driven (issue 12); the one timer, a heartbeat round, exists only when systemd's watchdog asks for proof.
        _housekeeping = new Housekeeping(context.Time, _events, ReapAdoptedZombies, PublishStatus, _systemdWatchdog is null ? null : HeartbeatRound, logger);
        context.Live.Attach(() => _phase.Current, () => _slots.ToArray(), _events);
        context.Live.Census = _census?.Record;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Registered before anything starts and kept until the last worker is stopped: SIGHUP's default action
        // ends the launcher (exit 129), and a reload sent the moment the ready line appears, or during the stop,
        // would otherwise do exactly that.
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
        {
            signal.Cancel = true;
            switch (_phase.Current)
            {
                case RunPhase.Supervising:
                    _reporter.Reloading();
                    _ = _rolling.QueueRound(_supervision?.Token ?? stoppingToken)
                        .ContinueWith(_ => _reporter.Reloaded(SupervisionSummary.Describe(_slots)), TaskScheduler.Default);
                    break;
                case RunPhase.Starting:
                    Log.HangupDuringStartUp(_logger);
                    break;
                default:
                    Log.HangupWhileStopping(_logger);
                    break;
            }
        });

        // Leave the host's start-up path at once: everything below runs while the host is up.
        await Task.Yield();
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (LauncherException ex)
        {
            _context.Outcome.Fail(ex.ExitCode, ex.Message);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Log.Unexpected(_logger, ex);
            _context.Outcome.Fail(ExitCodes.Failure, "unexpected error: " + ex.Message);
        }
        finally
        {
            await StopAllAsync();
            _lifetime.StopApplication();
        }
    }

    // Starting.
    private async Task RunAsync(CancellationToken stopping)
    {
        _context.Platform.Containment.PrepareLauncher();
        _watchdog.Start();
        _systemdWatchdog?.Start(CancellationToken.None); // through the stop too: systemd keeps watching while we stop
        PublishStatus();

        var sweep = new StraySweep(_context.Finder, _context.Platform.Processes, _context.Killer, _context.Paths, _context.Spec.Instance, _context.Spec.StopGrace, _context.Effective.NoKill, _logger);
        await sweep.SweepAsync(
            (node, pid, cancellationToken) =>
            {
                _events.Add(RunEventKind.StrayKilled, node, pid);
                return _context.Hook.RunAsync(node, pid, 0, null, ExitReason.StrayKilled, cancellationToken);
            },
            stopping);
        if (_census is not null)
            await _census.BeforeSpawnAsync(stopping); // lost registrations cleaned, foreign consumers stopped or refused

        // Slots restart concurrently: one shared Random must be the thread-safe one.
        // Crash loops count per slot: one correlated event (an OOM kill, a deploy) that ends every worker once is
        // N single exits, not a loop.
        var policy = SlotPolicy.From(_context.Effective);
        var starter = new SpawningStarter(_context.Spawner);
        var probe = new VerifyingProbe(_context.Pinger, _context.Verifier);
        for (var index = 0; index < _context.Effective.Workers; index++)
        {
            var crashLoop = new CrashLoopDetector(_context.Time, policy.CrashLoopCount, policy.CrashLoopWindow);
            var backoff = new RestartBackoff(_context.Spec.Restart, Random.Shared);
            var slot = new WorkerSlot(index, starter, probe, _trees, _ends, _context.Time, backoff, crashLoop, policy, _events, _logger);
            _slots.Add(slot);
        }

        // All at once (issue 12, part 5): the spawn thread forks the queued workers back to back, and each one's log
        // file and bookkeeping follow on the pool. One after the other, the last worker waited for every earlier
        // spawn's round trip while those workers already took the CPU for their own start. A failed spawn still fails
        // the run; the workers already started are stopped with the rest.
        await Task.WhenAll(_slots.Select(slot => slot.StartAsync()));

        // The slots' token: cancelled by the host's stop, or by the first slot that fails, so that no slot
        // keeps restarting (or takes the stop's SIGTERM for a crash) while the others are being stopped.
        _supervision = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        await VerifyAsync(stopping);
        _heartbeat.Require();
        _housekeeping.Start(_supervision.Token);
        _census?.StartWatching(() => _slots.Select(s => s.Current).OfType<RunningWorker>().Select(w => new Census.OurWorker(w.Node, w.Pid)).ToList(), _supervision.Token);
        await SuperviseAsync(_supervision);
    }

    // Starting -> Supervising, once exactly N workers answer.
    private async Task VerifyAsync(CancellationToken stopping)
    {
        var ours = _slots.Select(s => s.Current!).ToList();
        Verify.VerificationResult result;
        try
        {
            result = await _context.Verifier.VerifyAsync(ours, _context.Spec.StartTimeout, _reporter.VerificationProgress, stopping);
        }
        finally
        {
            _reporter.VerificationDone();
        }

        if (!result.Success)
            throw new VerificationFailedException("verification failed: " + result.Describe());
        if (_census is not null)
            await _census.VerifyAsync(ours, _context.Spec.StartTimeout, stopping); // the broker lists exactly ours too

        _phase.MoveTo(RunPhase.Supervising); // before the ready line: a SIGHUP sent on seeing it must restart, not be ignored
        PublishStatus(); // before the ready line too: `launcher status` right after it must not call them strays
        _reporter.Ready($"ready: {ours.Count}/{ours.Count} workers verified ({string.Join(", ", ours.Select(w => w.Node))})");
        Platform.MemoryTrim.AfterReady(_context.Time); // start-up's garbage and code pages are not needed while supervising
    }

    // Supervising: fan in the slots' loops.
    private async Task SuperviseAsync(CancellationTokenSource supervision)
    {
        var stopping = supervision.Token;
        var all = _slots.Select(s => s.SuperviseAsync(stopping)).ToList();
        PublishStatus(); // every slot is Running now (each loop's first step): /metrics counts them answering at once
        var running = all.ToList();
        while (running.Count > 0)
        {
            var finished = await Task.WhenAny(running);
            running.Remove(finished);
            if (!finished.IsCompletedSuccessfully && !(finished.IsCanceled && stopping.IsCancellationRequested))
            {
                // A crash loop (or a bug) in one slot: stop the others' loops, and only then let the stop path run.
                await supervision.CancelAsync();
                try
                {
                    await Task.WhenAll(all);
                }
                catch (Exception)
                {
                    // WhenAll throws only once every task has completed; the first fault is rethrown just below.
                }

                await finished; // rethrows the first fault
            }
        }

        if (!stopping.IsCancellationRequested && ExitClassifier.FirstFailure(_slots.Select(s => s.LastEnd)) is { } failed)
            _context.Outcome.Fail(ExitCodes.Failure, $"worker {failed.Worker.Display} exited with {failed.Exit} and is not restarted ({_context.Effective.NoRestartReason})");
    }

    // Stopping -> Stopped. Every slot's loop has returned by now (SuperviseAsync waits for all of them).
    private async Task StopAllAsync()
    {
        _heartbeat.Release();
        _reporter.Stopping();
        _phase.MoveTo(RunPhase.Stopping);
        await _housekeeping.StopAsync();
        if (_census is not null)
            await _census.StopWatchingAsync();
        if (_supervision is not null)
            await _supervision.CancelAsync();

        if (_slots.Count > 0)
        {
            Log.Stopping(_logger, _slots.Count(s => s.Current is not null));
            PublishStatus();

            // One look at the process table and one kill over every tree: signals go out in reverse start
            // order and the trees share one grace period. Then each slot reports its worker as stopped.
            var workers = Enumerable.Reverse(_slots).Select(s => s.BeginStop()).OfType<Spawn.RunningWorker>().ToList();
            // Beside the trees: what escaped them (the workers' cgroup, or orphans adopted as subreaper) gets the same
            // grace, then cgroup.kill; a process that cannot be stopped fails the run, naming it.
            // The trees are found (and signalled) first, so that each worker's stop is reported as its own; the
            // leftover pass would otherwise SIGTERM the workers in the cgroup before their trees are looked up.
            var trees = _trees.StopTreesAsync(workers);
            var leftovers = _context.Containment.StopLeftoversAsync(_context.Spec.StopGrace, CancellationToken.None);
            await trees;
            if (await leftovers is { Count: > 0 } survivors)
                _context.Outcome.Fail(ExitCodes.Failure, $"could not stop {survivors.Count} process(es) of the workers: {string.Join(", ", survivors)}");
            await Task.WhenAll(_slots.Select(s => s.FinishStopAsync()));
            await _ends.WhenAllReportedAsync();
        }

        _status.Remove();
        await _watchdog.ReleaseAsync();
        if (_systemdWatchdog is not null)
            await _systemdWatchdog.StopAsync();
        _phase.MoveTo(RunPhase.Stopped);
    }

    private void ReapAdoptedZombies() =>
        _context.Children.WhenNoStartInProgress(() => _context.Platform.Containment.ReapAdoptedZombies(_context.Children.Contains));

    // Under systemd's watchdog only: a round on Housekeeping.Interval that proves the loop still turns.
    private void HeartbeatRound()
    {
        _freeze.WaitWhileFrozen();
        ReapAdoptedZombies();
        _heartbeat.Beat(); // the round got through: systemd may have its next WATCHDOG=1
    }

    private void PublishStatus()
    {
        _status.Publish(_phase.Current, _slots);
        ReportWorkers();
    }

    private void ReportWorkers()
    {
        if (_phase.Current == RunPhase.Supervising)
            _reporter.WorkersChanged(SupervisionSummary.Describe(_slots));
    }
}
