using Launcher.Agent.Protocol;
using Launcher.Config;
using Launcher.Kill;
using Launcher.Platform;
using Launcher.Spawn;
using Launcher.Strays;
using Launcher.Verify;

namespace Launcher.Supervise;

/// <summary>
/// Everything one `launcher run` works with, built once after the guard is taken. Only the supervisor reads this
/// bag; it hands each worker slot the few narrow services the slot needs.
/// </summary>
internal sealed record RunContext(
    EffectiveSpec Effective,
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
    RunContainment Containment,
    TimeProvider Time,
    RunOutcome Outcome)
{
    /// <summary>The effective spec's config (--debug already folded in).</summary>
    public LauncherSpec Spec => Effective.Spec;

    /// <summary>Where the status publisher leaves its snapshot for /metrics; null when <c>metrics.listen</c> is off.</summary>
    public Observe.RunBoard? Board { get; init; }

    /// <summary>The run as the launcher knows it (the supervisor attaches its state): the control socket's and status page's source.</summary>
    public Control.LiveRun Live { get; } = new(Effective, Paths, Pinger);
}
