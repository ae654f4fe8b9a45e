using Launcher.Platform;
using Launcher.Spawn;
using Launcher.Supervise;
using Launcher.Verify;

namespace Launcher.Tests.Unit;

/// <summary>
/// The worker side of a slot's unit tests, without processes: a starter whose "workers" end when the test says
/// so (or when they are stopped), a probe whose answers the test decides, a tree stopper that ends them, and an
/// end reporter that records every report.
/// </summary>
internal sealed class FakeWorkers : IWorkerStarter, IWorkerProbe, ITreeStopper, IEndReporter, IDisposable
{
    private readonly TimeProvider _time;
    private readonly string _dir = Directory.CreateTempSubdirectory("launcher-unit-").FullName;
    private readonly Lock _gate = new();
    private readonly List<RunningWorker> _started = [];
    private readonly Dictionary<int, TaskCompletionSource<WorkerExit>> _exits = [];
    private readonly List<(int Index, RunningWorker Worker, WorkerExit Exit, string Reason)> _ends = [];
    private readonly List<int> _stopped = [];
    private int _nextPid = 1000;
    private int _pings;

    public FakeWorkers(TimeProvider time) => _time = time;

    /// <summary>Spawns fail while this returns an error message (checked per spawn).</summary>
    public Func<int, string?> SpawnError { get; set; } = _ => null;

    /// <summary>Whether a worker answers pings; default: every worker answers.</summary>
    public Func<RunningWorker, bool> Answers { get; set; } = _ => true;

    /// <summary>A replacement that is never verified in time waits out its start timeout (on the fake clock).</summary>
    public Func<RunningWorker, bool> AnswersWhenStarted { get; set; } = _ => true;

    public IReadOnlyList<RunningWorker> Started
    {
        get
        {
            lock (_gate)
                return [.. _started];
        }
    }

    public IReadOnlyList<(int Index, RunningWorker Worker, WorkerExit Exit, string Reason)> Ends
    {
        get
        {
            lock (_gate)
                return [.. _ends];
        }
    }

    public IReadOnlyList<int> StoppedPids
    {
        get
        {
            lock (_gate)
                return [.. _stopped];
        }
    }

    /// <summary>How many liveness pings were sent so far.</summary>
    public int Pings => Volatile.Read(ref _pings);

    /// <summary>The worker exits on its own with <paramref name="exitCode"/>.</summary>
    public void Exit(RunningWorker worker, int exitCode) => ExitOf(worker).TrySetResult(new WorkerExit(exitCode, _time.GetUtcNow()));

    public Task<RunningWorker> StartAsync(int index)
    {
        if (SpawnError(index) is { } error)
            throw new InvalidOperationException(error);
        lock (_gate)
        {
            var pid = _nextPid++;
            var exit = new TaskCompletionSource<WorkerExit>(TaskCreationOptions.RunContinuationsAsynchronously);
            _exits[pid] = exit;
            var log = new WorkerLog(Path.Combine(_dir, $"worker_{pid}.log"), 1 << 20, 1, echo: null);
            var worker = new RunningWorker(index, new ProcessIdentity(pid, 1), $"api{pid}@test", log, _time.GetUtcNow(), exit.Task, exit.Task);
            _started.Add(worker);
            return Task.FromResult(worker);
        }
    }

    public Task<PingOutcome> PingAsync(RunningWorker worker, CancellationToken cancellationToken)
    {
        var outcome = Answers(worker) ? new PingOutcome(true, worker.Node, null) : PingOutcome.Silent("no answer on its socket");
        Interlocked.Increment(ref _pings);
        return Task.FromResult(outcome);
    }

    public async Task<bool> WaitUntilAnswersAsync(RunningWorker worker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (AnswersWhenStarted(worker))
            return true;
        await Task.Delay(timeout, _time, cancellationToken);
        return false;
    }

    public Task StopTreeAsync(RunningWorker worker, CancellationToken cancellationToken)
    {
        lock (_gate)
            _stopped.Add(worker.Pid);
        ExitOf(worker).TrySetResult(new WorkerExit(128 + 15, _time.GetUtcNow()));
        return Task.CompletedTask;
    }

    public bool HasLeftovers(RunningWorker worker) => false;

    public async Task StopTreesAsync(IReadOnlyList<RunningWorker> workers)
    {
        foreach (var worker in workers)
            await StopTreeAsync(worker, CancellationToken.None);
    }

    public void Report(int index, RunningWorker worker, WorkerExit exit, string reason)
    {
        lock (_gate)
            _ends.Add((index, worker, exit, reason));
        worker.Log.Dispose();
    }

    public void Dispose()
    {
        foreach (var worker in Started)
            worker.Log.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private TaskCompletionSource<WorkerExit> ExitOf(RunningWorker worker)
    {
        lock (_gate)
            return _exits[worker.Pid];
    }
}
