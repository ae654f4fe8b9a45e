using System.Diagnostics;
using System.Runtime.CompilerServices;
using Launcher.Agent.Protocol;
using NUnit.Framework;

namespace Launcher.Tests.Support;

/// <summary>
/// A running <c>artifacts/launcher/launcher</c> (or any program, see <see cref="StartProgram"/>) whose stdout and
/// stderr are captured line by line. Waits are event-driven: a waiter completes when the matching line arrives,
/// fails at once when the process exits without printing it, and times out with everything captured so far.
/// The pid is tracked by the sandbox; disposing SIGKILLs the process if it is still running.
/// </summary>
internal sealed class LauncherProcess : IAsyncDisposable
{
    /// <summary>How long output may keep arriving after exit before waiters give up (orphans may hold the pipes).</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);

    private readonly Process _process;
    private readonly string _name;
    private readonly Lock _gate = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly List<string> _all = [];
    private readonly List<LineWaiter> _waiters = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _finished;
    private bool _disposed;
    private int? _nsenterPid;

    private LauncherProcess(Process process, string name)
    {
        _process = process;
        _name = name;
    }

    /// <summary>
    /// The process id, as the test sees it (probes, signals). In a sandbox with a pid namespace this is the
    /// program nsenter started, not nsenter.
    /// </summary>
    public int Pid { get; private set; }

    /// <summary>
    /// The process id as the sandbox's programs see it (what the launcher prints and writes about it): the same as
    /// <see cref="Pid"/> unless the sandbox has a pid namespace.
    /// </summary>
    public int PidInside { get; private set; }

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>The exit code, or null while running.</summary>
    public int? ExitCode => HasExited ? _process.ExitCode : null;

    /// <summary>The stdout lines captured so far.</summary>
    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (_gate)
                return [.. _stdout];
        }
    }

    /// <summary>The stderr lines captured so far.</summary>
    public IReadOnlyList<string> StderrLines
    {
        get
        {
            lock (_gate)
                return [.. _stderr];
        }
    }

    /// <summary>Every line captured so far from both streams, in arrival order, joined by newlines.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
                return string.Join('\n', _all);
        }
    }

    /// <summary>
    /// Starts the built launcher with <paramref name="args"/> in <paramref name="workingDirectory"/> (default: the
    /// sandbox directory). The environment is this process's, minus every inherited <c>LAUNCHER_*</c> variable,
    /// plus <c>LAUNCHER_RUNTIME_DIR</c> = the sandbox's runtime directory, plus <paramref name="environment"/>
    /// (a null value removes a variable).
    /// </summary>
    public static LauncherProcess Start(
        Sandbox sandbox,
        IEnumerable<string> args,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null) =>
        StartProgram(sandbox, Repo.LauncherExe, args, workingDirectory, environment);

    /// <summary>
    /// Starts any program the same way as <see cref="Start"/> (same environment rules, same capture): a
    /// SampleWorker started "by hand" as a stray, or a shell for the harness's own tests.
    /// </summary>
    public static LauncherProcess StartProgram(
        Sandbox sandbox,
        string fileName,
        IEnumerable<string> args,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(args);

        workingDirectory ??= sandbox.Dir;
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // A test never inherits a launcher's identity from the shell that ran `dotnet test`.
        foreach (var inherited in startInfo.Environment.Keys.Where(key => key.StartsWith("LAUNCHER_", StringComparison.Ordinal)).ToList())
            startInfo.Environment.Remove(inherited);
        startInfo.Environment[EnvironmentNames.RuntimeDir] = sandbox.RuntimeDir;
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                startInfo.Environment.Remove(key);
            else
                startInfo.Environment[key] = value;
        }

        IEnumerable<string> arguments = args;
        if (sandbox.Namespace is { } pidNamespace)
        {
            // nsenter runs the program (as its only child) and passes on its exit. The LAUNCHER_* variables go to
            // the program only, through env(1), so nsenter itself never looks like one of the instance's processes.
            var launcherVariables = startInfo.Environment
                .Where(entry => entry.Key.StartsWith("LAUNCHER_", StringComparison.Ordinal) && entry.Value is not null)
                .Select(entry => $"{entry.Key}={entry.Value}")
                .ToList();
            foreach (var variable in launcherVariables)
                startInfo.Environment.Remove(variable[..variable.IndexOf('=', StringComparison.Ordinal)]);
            (startInfo.FileName, arguments) = pidNamespace.Enter("/usr/bin/env", [.. launcherVariables, fileName, .. args], workingDirectory);
        }

        foreach (var arg in arguments)
            startInfo.ArgumentList.Add(arg);

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var launched = new LauncherProcess(process, Path.GetFileName(fileName));
        process.OutputDataReceived += (_, e) => launched.OnData(e.Data, launched._stdout, launched._stdoutClosed);
        process.ErrorDataReceived += (_, e) => launched.OnData(e.Data, launched._stderr, launched._stderrClosed);
        process.Exited += (_, _) => launched.OnExited();

        process.Start();
        launched.Pid = process.Id;
        sandbox.Processes.Track(process.Id);
        if (sandbox.Namespace is { } entered && PidNamespace.ProgramOf(process.Id) is { } inside)
        {
            launched.Pid = inside;
            launched.PidInside = entered.InnerPid(inside) ?? inside;
            launched._nsenterPid = process.Id;
            sandbox.Processes.Track(inside);
        }
        else
        {
            launched.PidInside = launched.Pid;
        }

        process.StandardInput.Close(); // stdin is empty: the test host's stdin is not the launcher's business
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return launched;
    }

    /// <summary>Waits for a line (stdout or stderr) containing <paramref name="substring"/> (ordinal).</summary>
    public Task<string> WaitForLineAsync(string substring, TimeSpan deadline, CancellationToken cancellationToken = default) =>
        WaitForLineAsync(line => line.Contains(substring, StringComparison.Ordinal), deadline, cancellationToken, $"a line containing \"{substring}\"");

    /// <summary>
    /// Waits for the first line (stdout or stderr, including lines already captured, in arrival order) that
    /// <paramref name="predicate"/> accepts, and returns it. Throws <see cref="TimeoutException"/> after
    /// <paramref name="deadline"/>, and <see cref="InvalidOperationException"/> as soon as the process has exited
    /// and its output is drained; both messages hold all output captured so far.
    /// </summary>
    public async Task<string> WaitForLineAsync(
        Func<string, bool> predicate,
        TimeSpan deadline,
        CancellationToken cancellationToken = default,
        [CallerArgumentExpression(nameof(predicate))] string? description = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var waiter = new LineWaiter(predicate, description ?? "a matching line");
        bool finished;
        lock (_gate)
        {
            foreach (var line in _all)
            {
                if (predicate(line))
                    return line;
            }

            finished = _finished;
            if (!finished)
                _waiters.Add(waiter);
        }

        if (finished)
            throw waiter.NotPrinted(this);

        try
        {
            return await waiter.Task.WaitAsync(deadline, cancellationToken);
        }
        catch (TimeoutException)
        {
            Forget(waiter);
            throw new TimeoutException(
                $"{Describe()} printed no {waiter.Description} within {deadline.TotalSeconds:0.###} s. Output so far:\n{Output}");
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            Forget(waiter);
            throw new OperationCanceledException(
                $"cancelled waiting for {waiter.Description} from {Describe()}. Output so far:\n{Output}", ex, cancellationToken);
        }
    }

    /// <summary>
    /// Waits for the process to exit and returns its exit code; output still in flight is given a moment to
    /// arrive. Throws <see cref="TimeoutException"/> (with the output) after <paramref name="deadline"/>; the
    /// process keeps running then (dispose kills it).
    /// </summary>
    public async Task<int> WaitForExitAsync(TimeSpan deadline, CancellationToken cancellationToken = default)
    {
        try
        {
            await _exited.Task.WaitAsync(deadline, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Describe()} did not exit within {deadline.TotalSeconds:0.###} s. Output so far:\n{Output}");
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(
                $"cancelled waiting for {Describe()} to exit. Output so far:\n{Output}", ex, cancellationToken);
        }

        await WaitForDrainAsync();
        return _process.ExitCode;
    }

    /// <summary>Sends <paramref name="signal"/> (see <see cref="Signals"/>) with <c>kill(2)</c>; throws once it has exited.</summary>
    public void Signal(int signal)
    {
        // Checking first keeps a signal from reaching an unrelated process that reused the pid.
        if (HasExited || !ProcessProbe.Signal(Pid, signal))
            throw new InvalidOperationException($"cannot send signal {signal}: {Describe()} has exited. Output:\n{Output}");
    }

    /// <summary>SIGKILLs the process if it is still running and waits (bounded) for it to be gone.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;

        if (!HasExited)
        {
            _ = NativeMethods.Kill(Pid, Signals.SIGKILL);
            if (_nsenterPid is { } nsenter)
                _ = NativeMethods.Kill(nsenter, Signals.SIGKILL);
            try
            {
                await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                TestContext.Progress.WriteLine($"{Describe()} survived SIGKILL for 10 s");
            }
        }

        _process.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => Describe();

    private string Describe() =>
        HasExited ? $"{_name} (pid {Pid}, exited with code {_process.ExitCode})" : $"{_name} (pid {Pid}, running)";

    private void OnData(string? line, List<string> stream, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        List<LineWaiter> matched = [];
        lock (_gate)
        {
            stream.Add(line);
            _all.Add(line);
            foreach (var waiter in _waiters)
            {
                if (waiter.Matches(line))
                    matched.Add(waiter);
            }

            _waiters.RemoveAll(matched.Contains);
        }

        foreach (var waiter in matched)
            waiter.Complete(line);
    }

    private void OnExited()
    {
        _exited.TrySetResult();
        _ = FinishAfterDrainAsync();
    }

    private async Task FinishAfterDrainAsync()
    {
        await WaitForDrainAsync();
        List<LineWaiter> pending;
        lock (_gate)
        {
            _finished = true;
            pending = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in pending)
            waiter.Fail(waiter.NotPrinted(this));
    }

    /// <summary>Both streams closed, or <see cref="DrainGrace"/> passed (an orphan still holds a pipe).</summary>
    private async Task WaitForDrainAsync()
    {
        try
        {
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(DrainGrace);
        }
        catch (TimeoutException)
        {
            // Output from an orphan that inherited the pipes keeps being captured; nobody waits for it.
        }
    }

    private void Forget(LineWaiter waiter)
    {
        lock (_gate)
            _waiters.Remove(waiter);
    }

    private sealed class LineWaiter(Func<string, bool> predicate, string description)
    {
        private readonly TaskCompletionSource<string> _line = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Description { get; } = description;

        public Task<string> Task => _line.Task;

        public bool Matches(string line)
        {
            try
            {
                return predicate(line);
            }
            catch (Exception ex)
            {
                _line.TrySetException(ex);
                return true;
            }
        }

        public void Complete(string line) => _line.TrySetResult(line);

        public void Fail(Exception exception) => _line.TrySetException(exception);

        public InvalidOperationException NotPrinted(LauncherProcess process) =>
            new($"{process.Describe()} ended its output without printing {Description}. Output:\n{process.Output}");
    }
}
