using Launcher.Agent.Protocol;
using Launcher.Config;
using Launcher.Kill;
using Launcher.Platform;
using Launcher.Spawn;
using Launcher.Strays;
using Launcher.Verify;

namespace Launcher.Supervise;

/// <summary>Everything one `launcher run` works with, built once after the guard is taken.</summary>
internal sealed record RunContext(
    LauncherSpec Spec,
    RunFlags Flags,
    RuntimePaths Paths,
    LauncherGuardValue Guard,
    PlatformServices Platform,
    WorkerFinder Finder,
    TreeKiller Killer,
    WorkerSpawner Spawner,
    WorkerPinger Pinger,
    Verifier Verifier,
    ExitHook Hook,
    ChildRegistry Children,
    TimeProvider Time,
    RunOutcome Outcome);

/// <summary>The command-line switches of `launcher run`.</summary>
internal sealed record RunFlags(bool Debug, bool NoKill, bool Standby = false);

/// <summary>The exit code `launcher run` ends with, set by whoever decides it first.</summary>
internal sealed class RunOutcome
{
    private int _exitCode;

    public int ExitCode => _exitCode;

    public string? Message { get; private set; }

    public void Fail(int exitCode, string message)
    {
        if (Interlocked.CompareExchange(ref _exitCode, exitCode, 0) == 0)
            Message = message;
    }
}
