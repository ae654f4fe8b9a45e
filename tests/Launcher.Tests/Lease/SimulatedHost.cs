using System.Globalization;
using Launcher.Tests.Support;

namespace Launcher.Tests.Lease;

/// <summary>
/// One "host" on this machine: <c>launcher run</c> in its own UTS and pid namespace (unshare(1):
/// <c>--uts --pid --fork --mount-proc</c>, we are root), so it has its own hostname (its workers are
/// <c>api&lt;pid&gt;@&lt;host&gt;</c>), sees only its own processes, and has its own runtime directory, as a real
/// host would. A bash init inside reaps orphans and passes the launcher's exit code on. Killing
/// <c>unshare</c> (<c>--kill-child</c>) or the init takes the whole "host" down.
/// </summary>
internal sealed class SimulatedHost : IAsyncDisposable
{
    private const string Script = "hostname \"$0\" && \"$@\"; exit $?";

    private SimulatedHost(string name, LauncherProcess process)
    {
        Name = name;
        Process = process;
    }

    public string Name { get; }

    /// <summary>The <c>unshare</c> process (its output is the launcher's; its exit code is the launcher's).</summary>
    public LauncherProcess Process { get; }

    /// <summary>The launcher's pid as the test sees it, once it has started (null before or after).</summary>
    public int? LauncherPid => ProcessProbe.DescendantsOf(Process.Pid)
        .FirstOrDefault(pid => ProcessProbe.CommandLine(pid)?.StartsWith(Repo.LauncherExe + " run", StringComparison.Ordinal) == true) is var pid and > 0 ? pid : null;

    /// <summary>Starts <c>launcher run --config <paramref name="config"/></c> (plus <paramref name="extraArgs"/>) as host <paramref name="name"/>.</summary>
    public static SimulatedHost Start(Sandbox sandbox, string name, string config, params string[] extraArgs)
    {
        var runtime = Directory.CreateDirectory(Path.Combine(sandbox.Dir, "hosts", name, "runtime")).FullName;
        string[] args =
        [
            "--uts", "--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL",
            "/bin/bash", "-c", Script, name, Repo.LauncherExe, "run", "--config", config, .. extraArgs,
        ];
        var process = LauncherProcess.StartProgram(sandbox, "/usr/bin/unshare", args, environment: new Dictionary<string, string?> { ["LAUNCHER_RUNTIME_DIR"] = runtime });
        return new SimulatedHost(name, process);
    }

    /// <summary>SIGKILLs the launcher alone (its watchdog and the kernel must take its workers down).</summary>
    public void KillLauncher()
    {
        if (LauncherPid is { } pid)
            _ = NativeMethods.Kill(pid, Signals.SIGKILL);
    }

    /// <summary>SIGTERM to the launcher: a clean stop.</summary>
    public void StopLauncher()
    {
        if (LauncherPid is { } pid)
            _ = NativeMethods.Kill(pid, Signals.SIGTERM);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"host {Name} (unshare pid {Process.Pid})");

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
