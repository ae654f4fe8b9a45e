using Launcher.Config;

namespace Launcher.Supervise;

/// <summary>
/// The spec one run follows: the config with the command line folded in, decided once when the run starts.
/// Nothing downstream looks at <see cref="RunFlags.Debug"/> again: `--debug` is one worker, no restarts, a long
/// start timeout, no kills for missed pings, and the worker's output echoed on the console.
/// </summary>
internal sealed record EffectiveSpec(LauncherSpec Spec, bool Debug, bool NoKill)
{
    /// <summary>Long enough to step through a worker's start-up in a debugger.</summary>
    public static readonly TimeSpan DebugStartTimeout = TimeSpan.FromMinutes(30);

    public static EffectiveSpec Resolve(LauncherSpec config, RunFlags flags)
    {
        if (!flags.Debug)
            return new EffectiveSpec(config, Debug: false, flags.NoKill);
        var debug = config with
        {
            Workers = 1,
            StartTimeout = DebugStartTimeout,
            Restart = config.Restart with { Enabled = false },
        };
        return new EffectiveSpec(debug, Debug: true, flags.NoKill);
    }

    /// <summary>How many workers the run keeps alive: what `launcher ping` and `status` expect.</summary>
    public int Workers => Spec.Workers;

    /// <summary>A worker paused at a breakpoint answers nothing; killing it as hung would end the debug session.</summary>
    public bool KillHung => !Debug;

    public bool EchoWorkerOutput => Debug;

    public bool VerboseConsole => Debug;

    /// <summary>Why an ended worker is not replaced, for the log and the exit message.</summary>
    public string NoRestartReason => Debug ? "--debug" : "restart.enabled=false";
}
