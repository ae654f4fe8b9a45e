using System.ComponentModel;
using System.Globalization;
using CliWrap;
using Launcher.Agent.Platform;
using Launcher.Logging;
using Launcher.Platform;
using Launcher.Platform.Windows;
using Microsoft.Extensions.Logging;

namespace Launcher.Spawn;

/// <summary>
/// Runs an <c>onWorkerExit</c> hook or a <c>ping.command</c> so that it is judged by its own exit and leaves
/// nothing behind. It starts (by the launcher's own vfork, <see cref="DirectStart"/>, or through
/// <c>launcher __contained</c>, <see cref="ContainedExec"/>) in a process group of its own and, with cgroups, in a
/// fresh cgroup below <c>hooks/</c> or <c>probes/</c>. Its result is its exit
/// code as soon as it exits, not when its stdout closes (a background child may hold that open for ever); then
/// everything still in its group or cgroup is killed, which also closes the pipes, and its output is drained.
/// </summary>
internal sealed class ContainedCommand(CgroupTree? cgroups, ChildRegistry children, IContainment containment, ILogger? logger)
{
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan KillLimit = TimeSpan.FromSeconds(5);

    public Task<ContainedResult> RunHookAsync(IReadOnlyList<string> argv, string workingDirectory, IReadOnlyDictionary<string, string?> environment,
        PipeTarget output, TimeSpan timeout, CancellationToken cancellationToken) =>
        RunAsync("onWorkerExit", cgroups?.Hooks, argv, workingDirectory, environment, output, output, timeout, cancellationToken);

    public Task<ContainedResult> RunProbeAsync(IReadOnlyList<string> argv, string workingDirectory, IReadOnlyDictionary<string, string?> environment,
        PipeTarget output, TimeSpan timeout, CancellationToken cancellationToken) =>
        RunAsync("ping command", cgroups?.Probes, argv, workingDirectory, environment, output, output, timeout, cancellationToken);

    /// <summary>A <c>census.command</c>: like a ping command, but its stdout (the node list) and stderr are read apart.</summary>
    public Task<ContainedResult> RunCensusAsync(IReadOnlyList<string> argv, string workingDirectory, IReadOnlyDictionary<string, string?> environment,
        PipeTarget output, PipeTarget error, TimeSpan timeout, CancellationToken cancellationToken) =>
        RunAsync("census command", cgroups?.Probes, argv, workingDirectory, environment, output, error, timeout, cancellationToken);

    private async Task<ContainedResult> RunAsync(
        string kind,
        Cgroup? parent,
        IReadOnlyList<string> argv,
        string workingDirectory,
        IReadOnlyDictionary<string, string?> environment,
        PipeTarget output,
        PipeTarget error,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        // On Linux the program is exec'd by path (by our fork or the shim); Windows finds it itself.
        var program = OperatingSystem.IsWindows() ? argv[0] : Resolve(argv[0], workingDirectory);
        Cgroup? run = null;
        if (parent is not null)
        {
            try
            {
                run = cgroups!.NewRun(parent);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                run = null; // its process group still contains it
            }
        }

        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnExit(System.Diagnostics.Process process)
        {
            try
            {
                exited.TrySetResult(process.ExitCode);
            }
            catch (InvalidOperationException)
            {
                exited.TrySetResult(-1);
            }
        }

        var (pid, drained) = (OperatingSystem.IsLinux() && DirectStart.Enabled ? StartDirect(program, argv, workingDirectory, environment, run, output, error, exited) : null)
            ?? StartThroughShim(program, argv, workingDirectory, new Dictionary<string, string?>(environment, StringComparer.Ordinal) { [CgroupJoin.Variable] = run?.Path }, output, error, OnExit);
        CommandJob? job = null;
        try
        {
            if (OperatingSystem.IsWindows())
                job = CommandJob.Contain(pid);
            int KillLeft(bool leaderAlive) =>
                OperatingSystem.IsWindows() && job is not null ? job.KillAll(pid, leaderAlive) : KillAll(run, pid, leaderAlive);

            int? exitCode;
            try
            {
                exitCode = await exited.Task.WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                exitCode = null;
            }
            catch (OperationCanceledException)
            {
                KillLeft(leaderAlive: !exited.Task.IsCompleted);
                throw;
            }

            var leftovers = KillLeft(leaderAlive: exitCode is null);
            if (exitCode is { } code && leftovers > 0 && logger is not null)
                Log.CommandLeftoversKilled(logger, kind, argv[0], pid, code, leftovers);
            return new ContainedResult(exitCode, leftovers);
        }
        finally
        {
            await Bounded(exited.Task, KillLimit);
            await Bounded(drained, DrainLimit);
            children.Remove(pid);
            if (OperatingSystem.IsWindows())
                job?.Dispose();
            if (run is not null && !run.TryRemove())
            {
                run.Kill();
                CgroupTree.WaitUntilEmpty(run, KillLimit);
                run.TryRemove();
            }
        }
    }

    // The launcher's own vfork (DirectStart): in its cgroup and a process group of its own before the exec, no shim.
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private (int Pid, Task Drained)? StartDirect(string program, IReadOnlyList<string> argv, string workingDirectory,
        IReadOnlyDictionary<string, string?> environment, Cgroup? run, PipeTarget output, PipeTarget error, TaskCompletionSource<int> exited)
    {
        // The child joins its cgroup itself (ChildOptions), so it gets no CgroupJoin variable, which is the shim's.
        IReadOnlyList<string> image = [program, .. argv.Skip(1)];
        var child = DirectStart.TryStart(
            new ChildOptions(run?.Path, workingDirectory, ParentDeathSignal: false),
            _ => (image, DirectStart.ChildEnvironment(environment)),
            children,
            code => exited.TrySetResult(code));
        if (child is null)
            return null;
        return (child.Pid, Task.WhenAll(CopyAsync(child.Stdout, output), CopyAsync(child.Stderr, error)));
    }

    private static async Task CopyAsync(Stream stream, PipeTarget target)
    {
        await using (stream)
            await target.CopyFromAsync(stream);
    }

    private (int Pid, Task Drained) StartThroughShim(string program, IReadOnlyList<string> argv, string workingDirectory,
        Dictionary<string, string?> variables, PipeTarget output, PipeTarget error, Action<System.Diagnostics.Process> onExit)
    {
        // Windows has no exec shim: the program starts directly and joins a job of its own (Platform/Windows/CommandJob).
        var command = (OperatingSystem.IsWindows()
                ? CliWrap.Cli.Wrap(program).WithArguments(argv.Skip(1))
                : CliWrap.Cli.Wrap(SelfInvocation.HelperProgram).WithArguments([.. SelfInvocation.HelperPrefix, HelperVerbs.Contained, program, .. argv.Skip(1)]))
            .WithWorkingDirectory(workingDirectory)
            .WithEnvironmentVariables(variables)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(output)
            .WithStandardErrorPipe(error);
        using (children.BeginStart())
        {
            var started = command.StartWithExitEvent(onExit);
            children.Add(started.ProcessId);
            return (started.ProcessId, started.Task);
        }
    }

    /// <summary>SIGKILL to everything the command left (and to the command itself on a timeout); returns how many processes were found.</summary>
    private int KillAll(Cgroup? run, int pid, bool leaderAlive)
    {
        var found = 0;
        if (run is not null)
        {
            var members = run.Pids();
            found = members.Count(p => p != pid || leaderAlive);
            // An empty cgroup stays empty (only a member can fork into it), so the usual end, a command that left
            // nothing, needs no kill.
            if (members.Count > 0)
                run.Kill();
        }

        // Its process group, for the fallback and for a command killed before it reached its cgroup. While any
        // member lives, the kernel keeps the group's id (the leader's pid) from being handed out again, so this
        // can reach nothing but the command's own group; an empty group answers ESRCH.
        if (Syscalls.Kill(-pid, 0) == 0)
        {
            found = Math.Max(found, leaderAlive ? 1 : containment.CountProcessGroupMembers(pid));
            _ = Syscalls.Kill(-pid, (int)Signal.Kill);
        }

        if (leaderAlive)
            _ = Syscalls.Kill(pid, (int)Signal.Kill); // not yet reaped by .NET: the pid is still the command's
        return found;
    }

    // The shim execs a path: resolve the program the way starting it directly would have (PATH, else relative to here).
    private static string Resolve(string program, string workingDirectory)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(program);
            return File.Exists(full) ? full : throw NotFound(program, workingDirectory);
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Join(directory, program);
            if (File.Exists(candidate) && ExecutableLookup.IsExecutable(candidate))
                return candidate;
        }

        throw NotFound(program, workingDirectory);
    }

    private static Win32Exception NotFound(string program, string workingDirectory) =>
        new(2, $"An error occurred trying to start process '{program}' with working directory '{workingDirectory}'. No such file or directory");

    private static async Task Bounded(Task task, TimeSpan limit)
    {
        try
        {
            await task.WaitAsync(limit);
        }
        catch (Exception)
        {
            // bounded: a pipe still held, or CliWrap's own error; the result is already decided
        }
    }
}
