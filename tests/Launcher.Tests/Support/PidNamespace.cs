using System.Diagnostics;
using System.Globalization;
using NUnit.Framework;

namespace Launcher.Tests.Support;

/// <summary>
/// A private pid namespace for a test that exercises a kill path (<c>strays --kill</c>, the run's stray sweep,
/// <c>stop</c>, containment): the launcher and its victims run inside it, so a bug in the launcher's kill path can
/// only ever reach the test's own processes (pid_namespaces(7)). Made with
/// <c>unshare --pid --fork --mount-proc</c> (unshare(1)): its init (pid 1 inside) is a bash that reaps orphans
/// the way an init must; processes join with <c>nsenter --target &lt;init&gt; --pid --mount</c> (nsenter(1)), which
/// also gives them the namespace's own <c>/proc</c>, so the launcher sees only the namespace's processes.
/// The test keeps watching from outside: every process in the namespace also has a pid out here (the first
/// field of <c>NSpid:</c> in <c>/proc/&lt;pid&gt;/status</c>, proc(5)), which is what the probes and signals use.
/// Disposing SIGKILLs the init, and the kernel then kills everything left in the namespace: cleanup is certain.
/// </summary>
internal sealed class PidNamespace : IAsyncDisposable
{
    private const string Unshare = "/usr/bin/unshare";
    private const string Nsenter = "/usr/bin/nsenter";

    // bash reaps any child in its SIGCHLD handler (waitpid(-1)), adopted orphans included; a lone `sleep` as
    // init would leave them as zombies until the namespace ends.
    private const string InitScript = "while :; do sleep 3600 & wait $!; done";
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan EndDeadline = TimeSpan.FromSeconds(10);

    private readonly Process _unshare;
    private bool _disposed;

    private PidNamespace(Process unshare, int initPid, string link)
    {
        _unshare = unshare;
        InitPid = initPid;
        Link = link;
    }

    /// <summary>The init's pid out here (it is pid 1 inside).</summary>
    public int InitPid { get; }

    /// <summary>The namespace's identity, the target of <c>/proc/&lt;pid&gt;/ns/pid</c> (e.g. <c>pid:[4026532301]</c>).</summary>
    public string Link { get; }

    /// <summary>
    /// Starts a namespace and waits for its init. Skips the test (<see cref="Assert.Ignore(string)"/>, reason
    /// printed) when namespaces are not permitted here (not root, no CAP_SYS_ADMIN, a seccomp filter...).
    /// </summary>
    public static async Task<PidNamespace> StartAsync(CancellationToken cancellationToken = default)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(Unshare) || !File.Exists(Nsenter))
            Skip($"pid namespaces need Linux with {Unshare} and {Nsenter}");

        var startInfo = new ProcessStartInfo(Unshare)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // --kill-child: if unshare itself is killed, its child (the init) gets SIGKILL, and so does the namespace.
        foreach (var arg in (string[])["--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL", "/bin/bash", "-c", InitScript])
            startInfo.ArgumentList.Add(arg);

        var unshare = Process.Start(startInfo)!;
        unshare.StandardInput.Close();
        var stderr = unshare.StandardError.ReadToEndAsync(cancellationToken);
        var own = PidLink(Environment.ProcessId);
        var until = DateTime.UtcNow + StartDeadline;
        while (true)
        {
            // The init is unshare's only child; it is in the new namespace once it has exec'd bash.
            if (FirstChild(unshare.Id) is { } init && PidLink(init) is { } link && link != own
                && ProcessProbe.CommandLine(init)?.StartsWith("/bin/bash", StringComparison.Ordinal) == true)
                return new PidNamespace(unshare, init, link);

            if (unshare.HasExited)
            {
                var reason = (await stderr).Trim();
                unshare.Dispose();
                Skip($"cannot create a pid namespace (unshare exited with {unshare.ExitCode}): {reason}");
            }

            if (DateTime.UtcNow >= until)
            {
                unshare.Kill();
                unshare.Dispose();
                throw new TimeoutException($"unshare made no namespace init within {StartDeadline.TotalSeconds} s");
            }

            await Task.Delay(5, cancellationToken);
        }
    }

    /// <summary>
    /// The program and arguments that run <paramref name="program"/> inside the namespace, in
    /// <paramref name="workingDirectory"/> (entering the mount namespace resets the working directory, setns(2)).
    /// nsenter forks the program (so it exits with the program's code, or dies of the same signal): its only
    /// child is the program, see <see cref="ProgramOf"/>.
    /// </summary>
    public (string Program, IReadOnlyList<string> Args) Enter(string program, IEnumerable<string> args, string workingDirectory) =>
        (Nsenter,
        [
            "--target", InitPid.ToString(CultureInfo.InvariantCulture), "--pid", "--mount",
            $"--wd={workingDirectory}", "--", program, .. args,
        ]);

    /// <summary>
    /// The pid (out here) of the program an nsenter started by <see cref="Enter"/> runs, waiting briefly for
    /// nsenter's fork; null when the program has already come and gone.
    /// </summary>
    public static int? ProgramOf(int nsenterPid)
    {
        var until = DateTime.UtcNow + StartDeadline;
        while (DateTime.UtcNow < until)
        {
            if (FirstChild(nsenterPid) is { } child)
                return child;
            if (!ProcessProbe.IsAlive(nsenterPid))
                return null;
            Thread.Sleep(1); // nsenter forks within a millisecond or two of its exec
        }

        return null;
    }

    /// <summary>True when <paramref name="pid"/> (a pid out here) is a process in this namespace.</summary>
    public bool Contains(int pid) => PidLink(pid) == Link;

    /// <summary>The pid inside the namespace of a process of it known by its pid out here; null when it is not in it.</summary>
    public int? InnerPid(int pid) => Contains(pid) ? NsPids(pid)?[^1] : null;

    /// <summary>The pid out here of the namespace's process <paramref name="innerPid"/>; null when there is none.</summary>
    public int? OuterPid(int innerPid)
    {
        foreach (var pid in ProcessProbe.AllPids())
        {
            if (NsPids(pid) is { Length: > 1 } pids && pids[^1] == innerPid && Contains(pid))
                return pid;
        }

        return null;
    }

    /// <summary>Every live process in the namespace (pids out here), the init included.</summary>
    public IReadOnlyList<int> Members() =>
        ProcessProbe.AllPids().Where(pid => Contains(pid) && ProcessProbe.IsAlive(pid)).Order().ToList();

    /// <summary>SIGKILLs the init, which ends every process in the namespace (pid_namespaces(7)), and waits until none is left.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;

        _ = NativeMethods.Kill(InitPid, Signals.SIGKILL);
        var until = DateTime.UtcNow + EndDeadline;
        while (Members() is { Count: > 0 } left)
        {
            if (DateTime.UtcNow >= until)
            {
                _unshare.Dispose();
                throw new InvalidOperationException(
                    $"pid namespace {Link}: processes still alive {EndDeadline.TotalSeconds} s after its init was killed: {string.Join(", ", left)}");
            }

            await Task.Delay(20);
        }

        try
        {
            await _unshare.WaitForExitAsync().WaitAsync(EndDeadline);
        }
        catch (TimeoutException)
        {
            _unshare.Kill();
        }

        _unshare.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"pid namespace {Link} (init pid {InitPid})";

    /// <summary>The target of <c>/proc/&lt;pid&gt;/ns/pid</c>, or null when the process is gone.</summary>
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

    /// <summary>The pids of <c>NSpid:</c> (outermost first, the process's own namespace last), or null when gone.</summary>
    private static int[]? NsPids(int pid)
    {
        string status;
        try
        {
            status = File.ReadAllText($"/proc/{pid}/status");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var line = status.Split('\n').FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal));
        return line?["NSpid:".Length..]
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(field => int.Parse(field, CultureInfo.InvariantCulture))
            .ToArray();
    }

    /// <summary>The first child of <paramref name="pid"/>'s main thread (<c>/proc/&lt;pid&gt;/task/&lt;pid&gt;/children</c>).</summary>
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
