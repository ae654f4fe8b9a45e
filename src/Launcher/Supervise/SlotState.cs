namespace Launcher.Supervise;

/// <summary>Where one worker slot is (docs/ARCHITECTURE.md has the diagram).</summary>
internal enum SlotState
{
    /// <summary>A worker is being spawned, or was spawned and has not answered yet.</summary>
    Starting,

    /// <summary>The worker answered; its exit and its liveness are watched.</summary>
    Running,

    /// <summary>SIGHUP's rolling restart: the worker is being stopped so a new one can take its place.</summary>
    Replacing,

    /// <summary>The worker ended (crashed, hung, silent, not spawnable) and was reported; a replacement is due after a delay.</summary>
    BackingOff,

    /// <summary>The run is stopping: the shared kill takes the worker, then it is reported as stopped.</summary>
    Stopping,

    /// <summary>No worker and none to come: stopped, not restarted, or a crash loop.</summary>
    Ended,
}
