using System.Diagnostics;
using System.Runtime.InteropServices;
using Launcher.Cli;
using Launcher.Exceptions;
using Launcher.Logging;
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
    private Process? _watchdog;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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
        // Registered before anything starts: SIGHUP's default action ends the launcher (exit 129), and a reload
        // sent the moment the ready line appears would otherwise do exactly that.
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
        {
            signal.Cancel = true;
            if (_supervising)
                QueueRollingRestart(stopping);
            else
                Log.Note(logger, "SIGHUP during start-up: the workers are starting fresh; no rolling restart");
        });
        context.Platform.Containment.PrepareLauncher();
        _watchdog = Watchdog.Start(context.Guard);
        context.Children.Add(_watchdog.Id);

        await SweepStraysAsync(stopping);

        // Slots restart concurrently: one shared Random must be the thread-safe one.
        var random = Random.Shared;
        var crashLoop = new CrashLoopDetector(context.Time, context.Spec.Restart.CrashLoopCount, context.Spec.Restart.CrashLoopWindow);
        var workers = context.Flags.Debug ? 1 : context.Spec.Workers;
        for (var index = 0; index < workers; index++)
        {
            var slot = new WorkerSlot(index, context, new RestartBackoff(context.Spec.Restart, random), crashLoop, logger);
            _slots.Add(slot);
            await slot.StartAsync();
        }

        await VerifyAsync(stopping);
        using var housekeeping = StartHousekeeping(stopping);
        await SuperviseAsync(stopping);
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

        if (discovery.Units.Count == 0)
            return;

        var names = string.Join(", ", discovery.Units.Select(u => $"{u.Display} [{u.FoundBy}, {u.Members.Count} process(es)]"));
        if (context.Flags.NoKill)
            throw new VerificationFailedException($"--no-kill: {discovery.Units.Count} stray worker(s) of instance '{context.Spec.Instance}' are running: {names}. Stop them (launcher strays --kill) or run without --no-kill.");

        Log.StraysFound(logger, discovery.Units.Count, names);
        var results = await context.Killer.KillAsync(discovery.Units.Select(u => (u.Display, u.Members)).ToList(), context.Spec.StopGrace, stopping);
        foreach (var (unit, result) in discovery.Units.Zip(results))
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

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        var running = _slots.Select(s => s.SuperviseAsync(stopping)).ToList();
        while (running.Count > 0)
        {
            var finished = await Task.WhenAny(running);
            running.Remove(finished);
            await finished; // a crash loop surfaces here

            if (context.Flags.Debug && !stopping.IsCancellationRequested)
                return; // --debug: the one worker ended and is not restarted
        }
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
                await slot.RestartAsync().WaitAsync(stopping); // one at a time: never fewer than N-1 nor more than N
            WriteStatus("running");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private PeriodicTimer StartHousekeeping(CancellationToken stopping)
    {
        var timer = new PeriodicTimer(HousekeepingInterval, context.Time);
        _ = Task.Run(async () =>
        {
            try
            {
                while (await timer.WaitForNextTickAsync(stopping))
                {
                    context.Platform.Containment.ReapAdoptedZombies(context.Children.Contains);
                    WriteStatus("running");
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, stopping);
        return timer;
    }

    private async Task StopAllAsync()
    {
        if (_slots.Count > 0)
        {
            Log.Stopping(logger, _slots.Count(s => s.Current is not null));
            WriteStatus("stopping");

            // Signals go out in reverse start order; the trees share one grace period.
            var stops = Enumerable.Reverse(_slots).Select(s => s.StopAsync(CancellationToken.None)).ToList();
            await Task.WhenAll(stops);
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
