namespace Launcher.Spawn;

/// <summary>
/// The hidden verbs of the launcher's helpers, shared by the launcher and its companion binary
/// (<c>launcher-companion</c>, <see cref="SelfInvocation.Companion"/>), which both answer them.
/// </summary>
internal static class HelperVerbs
{
    /// <summary>The exec shim that runs in every new worker (<see cref="ExecShim"/>).</summary>
    public const string Exec = "__exec";

    /// <summary>The shim of hook and ping commands (<see cref="ContainedExec"/>).</summary>
    public const string Contained = "__contained";

    /// <summary>The watchdog (<see cref="Watchdog"/>).</summary>
    public const string Watchdog = "__watchdog";

    /// <summary>
    /// Set for the companion's watchdog: the launcher binary whose own <c>__watchdog</c> verb does the sweep once the
    /// launcher is gone. The companion opens it at start, so a launcher file replaced or removed meanwhile still runs.
    /// </summary>
    public const string SweeperVariable = "LAUNCHER_WATCHDOG_SWEEPER";
}
