using System.Globalization;
using NUnit.Framework;

namespace Launcher.Tests.Support;

/// <summary>
/// A "container" made of kernel namespaces, the way <c>docker run</c> makes one: <c>unshare --pid --fork --mount-proc
/// --uts</c> (unshare(1)) gives a fresh pid namespace (its first process is PID 1, pids start small and repeat from
/// one start to the next), its own <c>/proc</c> and its own host name; the program runs as that PID 1 (a shell sets
/// the host name and execs it). <see cref="KillAsync"/> SIGKILLs the PID 1 from outside, as <c>docker kill</c> does,
/// and the kernel then kills everything else in the namespace (pid_namespaces(7)). Disposing kills it the same way.
/// The network namespace is shared, so 127.0.0.1 (the test's redis-server) is reachable from inside.
/// </summary>
internal sealed class ContainerNamespace : IAsyncDisposable
{
    private const string Unshare = "/usr/bin/unshare";
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan EndDeadline = TimeSpan.FromSeconds(30);

    private ContainerNamespace(LauncherProcess process, int initPid, string link)
    {
        Process = process;
        InitPid = initPid;
        Link = link;
    }

    /// <summary>The unshare process; its output is the program's, its exit code the program's (or 128 + signal).</summary>
    public LauncherProcess Process { get; }

    /// <summary>The PID 1 of the namespace, as seen from the test.</summary>
    public int InitPid { get; }

    /// <summary>The namespace's identity, the target of <c>/proc/&lt;pid&gt;/ns/pid</c>.</summary>
    public string Link { get; }

    /// <summary>
    /// Starts <paramref name="program"/> as PID 1 of a new pid + mount + uts namespace named <paramref name="hostName"/>,
    /// and waits until it has exec'd. Skips the test, the reason printed, when namespaces are not permitted here.
    /// </summary>
    public static async Task<ContainerNamespace> StartAsync(
        Sandbox sandbox,
        string hostName,
        string program,
        IEnumerable<string> args,
        string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment,
        CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(Unshare))
            Skip($"container namespaces need Linux with {Unshare}");

        // --kill-child: if unshare itself dies (the test is killed), its child, the PID 1, gets SIGKILL too.
        var process = LauncherProcess.StartProgram(
            sandbox,
            Unshare,
            ["--pid", "--fork", "--mount-proc", "--uts", "--kill-child=SIGKILL",
             "/bin/sh", "-c", "hostname \"$0\" && exec \"$@\"", hostName, program, .. args],
            workingDirectory,
            environment);
        var own = PidLink(Environment.ProcessId);
        var until = DateTime.UtcNow + StartDeadline;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The PID 1 is unshare's only child; it is ours once it is in another namespace and has exec'd the program.
            if (FirstChild(process.Pid) is { } init && PidLink(init) is { } link && link != own
                && ProcessProbe.CommandLine(init)?.StartsWith(program, StringComparison.Ordinal) == true)
            {
                sandbox.Processes.Track(init);
                return new ContainerNamespace(process, init, link);
            }

            if (process.HasExited)
            {
                var output = process.Output;
                await process.DisposeAsync();
                if (output.Contains("Operation not permitted", StringComparison.Ordinal) || output.Contains("unshare failed", StringComparison.Ordinal))
                    Skip($"cannot create pid + uts namespaces here: {output.Trim()}");
                throw new InvalidOperationException($"the container exited at once ({process.ExitCode}): {output}");
            }

            if (DateTime.UtcNow >= until)
            {
                await process.DisposeAsync();
                throw new TimeoutException($"unshare started no PID 1 running {program} within {StartDeadline.TotalSeconds} s: {process.Output}");
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>Every live process in the namespace (pids as seen from the test), the PID 1 included.</summary>
    public IReadOnlyList<int> Members() =>
        ProcessProbe.AllPids().Where(pid => PidLink(pid) == Link && ProcessProbe.IsAlive(pid)).Order().ToList();

    /// <summary>SIGKILLs the PID 1 (<c>docker kill</c>) and waits until the namespace is empty and unshare has exited.</summary>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        _ = NativeMethods.Kill(InitPid, Signals.SIGKILL);
        await Eventually.TrueAsync(() => Members().Count == 0, EndDeadline, $"every process of {this} ends with its PID 1", cancellationToken);
        _ = await Process.WaitForExitAsync(EndDeadline, cancellationToken);
    }

    /// <summary>Kills the namespace if it still runs (its PID 1, then unshare), and waits for it to be empty.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
            _ = NativeMethods.Kill(InitPid, Signals.SIGKILL);
        var until = DateTime.UtcNow + EndDeadline;
        while (Members().Count > 0 && DateTime.UtcNow < until)
            await Task.Delay(20);
        await Process.DisposeAsync();
    }

    /// <inheritdoc />
    public override string ToString() => $"container namespace {Link} (PID 1 = {InitPid})";

    private static string? PidLink(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/pid").LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int? FirstChild(int pid)
    {
        try
        {
            var children = File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return children.Length > 0 ? int.Parse(children[0], CultureInfo.InvariantCulture) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Skip(string reason)
    {
        TestContext.Progress.WriteLine($"skipped: {reason}");
        Assert.Ignore(reason);
    }
}
