using System.Diagnostics;
using System.Runtime.InteropServices;
using Launcher.Cli;
using Launcher.Exceptions;
using Launcher.Logging;
using Launcher.Platform;
using Launcher.Spawn;
using Launcher.Strays;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// The body of `launcher run` after the guard: find strays -> kill trees -> spawn -> verify -> supervise -> stop.
/// Failures of one worker are handled in its slot; a fatal error ends the run with its exit code, and the
/// `finally` always stops every worker tree before the host exits.
/// </summary>
internal sealed class Supervisor(RunContext context, IHostApplicationLifetime lifetime, ILogger<Supervisor> logger) : BackgroundService
{
    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromSeconds(2);
    private readonly List<WorkerSlot> _slots = [];
    private readonly Lock _rollingGate = new();
    private readonly Lock _statusGate = new();
    private Task _rolling = Task.CompletedTask;
    private volatile bool _supervising;
    private volatile bool _stopping;
    private Process? _watchdog;
    private CancellationTokenSource? _supervision;
    private CancellationTokenSource? _housekeepingStop;
    private Task _housekeeping = Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Registered before anything starts and kept until the last worker is stopped: SIGHUP's default action
        // ends the launcher (exit 129), and a reload sent the moment the ready line appears, or during the stop,
        // would otherwise do exactly that.
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
        {
            signal.Cancel = true;
            if (_stopping)
                Log.Note(logger, "SIGHUP while stopping: ignored");
            else if (_supervising)
                QueueRollingRestart(_supervision?.Token ?? stoppingToken);
            else
                Log.Note(logger, "SIGHUP during start-up: the workers are starting fresh; no rolling restart");
        });

        // Leave the host's start-up path at once: everything below runs while the host is up.
        await Task.Yield();
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (LauncherException ex)
        {
            context.Outcome.Fail(ex.ExitCode, ex.Message);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Log.Unexpected(logger, ex);
            context.Outcome.Fail(ExitCodes.Failure, "unexpected error: " + ex.Message);
        }
        finally
        {
            await StopAllAsync();
            lifetime.StopApplication();
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        context.Platform.Containment.PrepareLauncher();
        _watchdog = Watchdog.Start(context.Guard);
        context.Children.Add(_watchdog.Id);

        await SweepStraysAsync(stopping);

        // Slots restart concurrently: one shared Random must be the thread-safe one.
        // Crash loops count per slot: one correlated event (an OOM kill, a deploy) that ends every worker once is
        // N single exits, not a loop.
        var random = Random.Shared;
        var workers = context.Flags.Debug ? 1 : context.Spec.Workers;
        for (var index = 0; index < workers; index++)
        {
            var crashLoop = new CrashLoopDetector(context.Time, context.Spec.Restart.CrashLoopCount, context.Spec.Restart.CrashLoopWindow);
            var slot = new WorkerSlot(index, context, new RestartBackoff(context.Spec.Restart, random), crashLoop, logger);
            _slots.Add(slot);
            await slot.StartAsync();
        }

        // The slots' token: cancelled by the host's stop, or by the first slot that fails, so that no slot
        // keeps restarting (or takes the stop's SIGTERM for a crash) while the others are being stopped.
        _supervision = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        await VerifyAsync(stopping);
        StartHousekeeping(_supervision.Token);
        await SuperviseAsync(_supervision);
    }

    private async Task SweepStraysAsync(CancellationToken stopping)
    {
        var discovery = context.Finder.Find();
        foreach (var stale in discovery.Stale)
        {
            File.Delete(stale.File);
            File.Delete(Path.ChangeExtension(stale.File, ".sock"));
            Log.StaleRegistrationRemoved(logger, stale.Node ?? Path.GetFileName(stale.File), stale.Reason);
        }

        // The rule `launcher strays` and `launcher status` use too: a worker a live launcher owns is not a stray.
        // Another launcher running this instance (the same name under another runtime directory, where its lock
        // is not ours to see) means this one must not start: killing its workers only makes it restart them.
        var ownership = new Ownership(context.Platform.Processes, holder: null);
        var strays = new List<WorkerUnit>();
        foreach (var unit in discovery.Units)
        {
            switch (ownership.OwnerOf(unit))
            {
                case null:
                    strays.Add(unit);
                    break;
                case { IsSelf: false } other:
                    throw GuardHeldException.WorkerOwned(
                        context.Spec.Instance, new Guard.GuardHolder(other.Pid, other.StartTicks, other.StartedAt, other.CommandLine, ConfigFile: ""), other.RuntimeDir, unit.Display);
            }
        }

        if (strays.Count == 0)
            return;

        var names = string.Join(", ", strays.Select(u => $"{u.Display} [{u.FoundBy}, {u.Members.Count} process(es)]"));
        if (context.Flags.NoKill)
            throw new VerificationFailedException($"--no-kill: {strays.Count} stray worker(s) of instance '{context.Spec.Instance}' are running: {names}. Stop them (launcher strays --kill) or run without --no-kill.");

        Log.StraysFound(logger, strays.Count, names);
        var results = await context.Killer.KillAsync(strays.Select(u => (u.Display, u.Members)).ToList(), context.Spec.StopGrace, stopping);
        foreach (var (unit, result) in strays.Zip(results))
        {
            Log.StrayKilled(logger, result.ToString());
            if (unit.Registration is { } registration)
            {
                File.Delete(context.Paths.RegistrationFile(registration.Pid));
                File.Delete(context.Paths.SocketFile(registration.Pid));
            }
            if (unit.Node is { } node && unit.Pid is { } pid)
                await context.Hook.RunAsync(node, pid, 0, null, ExitReason.StrayKilled, stopping);
        }

        if (results.FirstOrDefault(r => r.Survivors > 0) is { } survivor)
            throw new VerificationFailedException($"could not kill stray {survivor}; not starting beside it");
    }

    private async Task VerifyAsync(CancellationToken stopping)
    {
        using var progress = new ProgressLine();
        var ours = _slots.Select(s => s.Current!).ToList();
        var result = await context.Verifier.VerifyAsync(
            ours,
            context.Flags.Debug ? TimeSpan.FromMinutes(30) : context.Spec.StartTimeout,
            (answered, expected) => progress.Update($"verifying workers: {answered}/{expected} answered"),
            stopping);
        progress.Clear();

        if (!result.Success)
            throw new VerificationFailedException("verification failed: " + result.Describe());

        var line = $"ready: {ours.Count}/{ours.Count} workers verified ({string.Join(", ", ours.Select(w => w.Node))})";
        _supervising = true; // before the ready line: a SIGHUP sent on seeing it must restart, not be ignored
        WriteStatus("running"); // before the ready line too: `launcher status` right after it must not call them strays
        Console.Out.WriteLine(line);
        Log.Ready(logger, line);
        SystemdNotifier.Notify($"READY=1\nSTATUS={line}\nMAINPID={Environment.ProcessId}");
    }

    private async Task SuperviseAsync(CancellationTokenSource supervision)
    {
        var stopping = supervision.Token;
        var all = _slots.Select(s => s.SuperviseAsync(stopping)).ToList();
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

        if (!stopping.IsCancellationRequested)
            ReportWorkersEnded();
    }

    // --debug or restart.enabled=false: every worker ended on its own and none is restarted. A worker that
    // failed makes the run fail too, so a script or a unit sees it.
    private void ReportWorkersEnded()
    {
        var why = context.Flags.Debug ? "--debug" : "restart.enabled=false";
        var failed = _slots.Select(s => s.LastEnd).FirstOrDefault(e => e is { Exit.ExitCode: not 0 });
        if (failed is { } end)
            context.Outcome.Fail(ExitCodes.Failure, $"worker {end.Worker.Display} exited with {end.Exit} and is not restarted ({why})");
    }

    // A second SIGHUP waits for the round in progress, so it is still one worker at a time.
    private void QueueRollingRestart(CancellationToken stopping)
    {
        lock (_rollingGate)
            _rolling = RollAfterAsync(_rolling, stopping);

        async Task RollAfterAsync(Task previous, CancellationToken cancellationToken)
        {
            await previous;
            await RollingRestartAsync(cancellationToken);
        }
    }

    private async Task RollingRestartAsync(CancellationToken stopping)
    {
        Log.RollingRestart(logger, _slots.Count);
        try
        {
            foreach (var slot in _slots.Where(s => s.Current is not null))
            {
                // One at a time: never fewer than N-1 nor more than N. A replacement that does not come up
                // (a broken new version) ends the roll there, leaving the others on the version that works.
                if (!await slot.RestartAsync().WaitAsync(stopping))
                {
                    Log.Warn(logger, $"rolling restart stopped: the replacement in worker slot #{slot.Index} did not start and answer; the other workers were left as they were");
                    break;
                }
            }

            WriteStatus("running");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private void StartHousekeeping(CancellationToken stopping)
    {
        _housekeepingStop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var token = _housekeepingStop.Token;
        _housekeeping = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(HousekeepingInterval, context.Time);
            try
            {
                while (await timer.WaitForNextTickAsync(token))
                {
                    try
                    {
                        context.Platform.Containment.ReapAdoptedZombies(context.Children.Contains);
                        WriteStatus("running");
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        Log.Warn(logger, $"housekeeping: {ex.Message}");
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
    }

    private async Task StopAllAsync()
    {
        _stopping = true;
        if (_housekeepingStop is not null)
        {
            // Its status write must not overwrite "stopping" with "running".
            await _housekeepingStop.CancelAsync();
            await _housekeeping;
        }

        if (_supervision is not null)
            await _supervision.CancelAsync();

        if (_slots.Count > 0)
        {
            Log.Stopping(logger, _slots.Count(s => s.Current is not null));
            WriteStatus("stopping");

            // One look at the process table and one kill over every tree: signals go out in reverse start
            // order and the trees share one grace period. Then each slot reports its worker as stopped.
            var discovery = context.Finder.Find();
            var targets = Enumerable.Reverse(_slots).Select(s => s.StopTarget(discovery)).OfType<(string Name, IReadOnlyList<ProcessInfo> Members)>().ToList();
            if (targets.Count > 0)
            {
                foreach (var result in await context.Killer.KillAsync(targets, context.Spec.StopGrace, CancellationToken.None))
                    Log.TreeEnded(logger, result.ToString());
            }

            await Task.WhenAll(_slots.Select(s => s.FinishStopAsync()));
            await Task.WhenAll(_slots.SelectMany(s => s.PendingHooks));
        }

        File.Delete(context.Paths.StatusFile);
        if (_watchdog is not null)
        {
            // Closing the pipe releases the watchdog; its sweep finds nothing left and it exits.
            _watchdog.StandardInput.Close();
            await _watchdog.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
            _watchdog.Dispose();
        }
    }

    // Called from housekeeping, a rolling restart and the stop path: one writer at a time (they share the
    // temporary file), and a failed write never ends supervision (the next round writes it again).
    private void WriteStatus(string state)
    {
        var workers = new List<WorkerStatus>();
        foreach (var slot in _slots)
        {
            if (slot.Current is { } worker)
                workers.Add(new WorkerStatus(slot.Index, worker.Node, worker.Pid, worker.StartedAt, worker.LastPingAt, worker.Log.Path, slot.Restarts));
        }

        try
        {
            lock (_statusGate)
                new StatusFile(context.Spec.Instance, Environment.ProcessId, state, workers).Write(context.Paths.StatusFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.Warn(logger, $"could not write {context.Paths.StatusFile}: {ex.Message}");
        }
    }
}
