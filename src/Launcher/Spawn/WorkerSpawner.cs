using System.Globalization;
using CliWrap;
using Launcher.Agent.Protocol;
using Launcher.Config;
using Launcher.Logging;
using Launcher.Platform;
using Launcher.Platform.Windows;

namespace Launcher.Spawn;

/// <summary>
/// Starts one worker from the spawn thread with the worker's argv and the marker environment: on Linux by the
/// launcher's own vfork (<see cref="DirectStart"/>), else (a container's PID 1, <c>LAUNCHER_EXEC_SHIM=1</c>, Windows)
/// through CliWrap and, on Linux, the exec shim. Either way the process that started is the worker itself, so its pid
/// is the worker's pid, its node name and its log file name.
/// </summary>
internal sealed class WorkerSpawner(
    LauncherSpec spec,
    RuntimePaths paths,
    LauncherGuardValue guard,
    SpawnThread spawnThread,
    ChildRegistry children,
    RunContainment containment,
    IProcessTable processes,
    TimeProvider time,
    bool echoToConsole,
    Action<string, Exception, int>? onLogWriteFailure = null)
{
    public async Task<RunningWorker> SpawnAsync(int index)
    {
        var argv = spec.Command.Expand(PlaceholderValues.For(spec, index));

        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in spec.Environment)
            environment[name] = value;
        environment[EnvironmentNames.Instance] = spec.Instance;
        environment[EnvironmentNames.Guard] = guard.ToString();
        environment[EnvironmentNames.RuntimeDir] = paths.Root;
        environment[EnvironmentNames.Node] = null; // set by the shim, once the pid is known
        containment.AddWorkerEnvironment(environment); // the shim joins the workers' cgroup before it execs

        var log = new TaskCompletionSource<WorkerLog>(TaskCreationOptions.RunContinuationsAsynchronously);
        var exitEvent = new TaskCompletionSource<WorkerExit>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (OperatingSystem.IsLinux() && DirectStart.Enabled)
        {
            var direct = await SpawnDirectAsync(index, argv, environment, log, exitEvent);
            if (direct is not null)
                return direct;
        }

        // Windows has no exec shim: the program itself starts and joins the launcher's job (Platform/Windows).
        var command = (OperatingSystem.IsWindows()
                ? CliWrap.Cli.Wrap(argv[0]).WithArguments(WindowsWorkerStart.Check(argv).Skip(1))
                : CliWrap.Cli.Wrap(SelfInvocation.HelperProgram)
                    .WithArguments([.. SelfInvocation.HelperPrefix, HelperVerbs.Exec, Environment.ProcessId.ToString(CultureInfo.InvariantCulture), .. argv]))
            .WithWorkingDirectory(spec.WorkingDirectory)
            .WithEnvironmentVariables(environment)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.Create((stream, ct) => PumpAsync(stream, "out", log.Task, ct)))
            .WithStandardErrorPipe(PipeTarget.Create((stream, ct) => PumpAsync(stream, "err", log.Task, ct)));

        // CliWrap's task also waits for stdout/stderr to close, which a grandchild holding them may delay for
        // ever; the process's own exit event tells us at once.
        void OnExit(System.Diagnostics.Process process)
        {
            try
            {
                exitEvent.TrySetResult(new WorkerExit(process.ExitCode, time.GetUtcNow()) { Timestamp = time.GetTimestamp() });
            }
            catch (InvalidOperationException)
            {
                // Already disposed by CliWrap, whose own result carries the exit code.
            }
        }

        var (task, pid, forkedAt) = await spawnThread.InvokeAsync(() =>
        {
            using var starting = children.BeginStart();
            var started = command.StartWithExitEvent(OnExit);
            children.Add(started.ProcessId);
            if (OperatingSystem.IsWindows())
                WindowsWorkerStart.Contain(started.ProcessId);
            return (started.Task, started.ProcessId, time.GetTimestamp());
        });

        return Track(index, pid, forkedAt, log, WaitForExitAsync(exitEvent.Task, task, pid), task);
    }

    // The launcher's own vfork (DirectStart): no exec shim; the child itself writes its pid into {pid}, {node} and
    // LAUNCHER_NODE, and joins the cgroup the shim would have joined.
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private async Task<RunningWorker?> SpawnDirectAsync(int index, IReadOnlyList<string> argv, Dictionary<string, string?> environment,
        TaskCompletionSource<WorkerLog> log, TaskCompletionSource<WorkerExit> exitEvent)
    {
        var overrides = new Dictionary<string, string?>(environment, StringComparer.Ordinal);
        overrides.Remove(CgroupJoin.Variable, out var cgroup);
        var options = new ChildOptions(cgroup, spec.WorkingDirectory, ParentDeathSignal: true);
        (IReadOnlyList<string>, IReadOnlyList<string>) ImageFor(int pid)
        {
            var node = SelfIdentity.NodeName(pid);
            return (ExecShim.WorkerArgv(argv, pid, node), DirectStart.ChildEnvironment(overrides, (EnvironmentNames.Node, node)));
        }

        void OnExit(int code) => exitEvent.TrySetResult(new WorkerExit(code, time.GetUtcNow()) { Timestamp = time.GetTimestamp() });

        // On the spawn thread: the parent-death signal follows the thread that forked (SpawnThread says why).
        var started = await spawnThread.InvokeAsync(() => (Child: DirectStart.TryStart(options, ImageFor, children, OnExit), ForkedAt: time.GetTimestamp()));
        if (started.Child is not { } child)
            return null;
        var drained = Task.WhenAll(
            DrainAsync(child.Stdout, "out", log.Task),
            DrainAsync(child.Stderr, "err", log.Task));
        return Track(index, child.Pid, started.ForkedAt, log, RemoveWhenExitedAsync(exitEvent.Task, child.Pid), drained);
    }

    private static async Task DrainAsync(Stream stream, string name, Task<WorkerLog> logTask)
    {
        await using (stream)
            await PumpLinesAsync(stream, name, logTask, CancellationToken.None);
    }

    private async Task<WorkerExit> RemoveWhenExitedAsync(Task<WorkerExit> exitEvent, int pid)
    {
        var exit = await exitEvent;
        children.Remove(pid);
        return exit;
    }

    private RunningWorker Track(int index, int pid, long forkedAt, TaskCompletionSource<WorkerLog> log, Task<WorkerExit> exited, Task drained)
    {
        var node = SelfIdentity.NodeName(pid);
        var logPath = Path.Combine(spec.LogDir, $"worker_{pid}.log");
        var workerLog = new WorkerLog(
            logPath,
            spec.LogFileSizeLimitBytes,
            spec.LogFilesRetained,
            echoToConsole ? line => Console.WriteLine($"[{node}] {line}") : null,
            onLogWriteFailure is null ? null : (error, lost) => onLogWriteFailure(logPath, error, lost),
            time);
        log.SetResult(workerLog);
        // A log per pid: keep the directory under logDirMaxBytes, dead workers' files first.
        LogDirectoryBudget.Enforce(spec.LogDir, spec.LogDirMaxBytes, logPid => processes.ReadStartTicks(logPid) is not null);

        var identity = new ProcessIdentity(pid, processes.ReadStartTicks(pid) ?? 0);
        return new RunningWorker(index, identity, node, workerLog, time.GetUtcNow(), exited, drained) { ForkTimestamp = forkedAt };
    }

    private async Task<WorkerExit> WaitForExitAsync(Task<WorkerExit> exitEvent, Task<CommandResult> command, int pid)
    {
        var first = await Task.WhenAny(exitEvent, command);
        children.Remove(pid);
        if (first == exitEvent)
            return await exitEvent;
        var result = await command;
        return new WorkerExit(result.ExitCode, result.ExitTime);
    }

    private static Task PumpAsync(Stream stream, string name, Task<WorkerLog> logTask, CancellationToken cancellationToken)
    {
        // Windows: the pipe's reads block, so they run on a thread of their own (WorkerOutputThread says why).
        if (OperatingSystem.IsWindows())
        {
            return WorkerOutputThread.RunAsync(stream, name, reads =>
            {
                var log = logTask.GetAwaiter().GetResult();
                foreach (var line in BoundedLineReader.ReadLinesAsync(reads, OutputBounds.MaxLineChars, cancellationToken).ToBlockingEnumerable(cancellationToken))
                    log.Write(name, line);
            });
        }

        return PumpLinesAsync(stream, name, logTask, cancellationToken);
    }

    private static async Task PumpLinesAsync(Stream stream, string name, Task<WorkerLog> logTask, CancellationToken cancellationToken)
    {
        var log = await logTask;
        // Lines are cut at OutputBounds.MaxLineChars: a worker printing without newlines cannot grow the launcher.
        await foreach (var line in BoundedLineReader.ReadLinesAsync(stream, OutputBounds.MaxLineChars, cancellationToken))
            log.Write(name, line);
    }
}
