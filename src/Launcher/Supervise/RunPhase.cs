namespace Launcher.Supervise;

/// <summary>Where one `launcher run` is in its life (docs/ARCHITECTURE.md has the diagram).</summary>
internal enum RunPhase
{
    /// <summary>Watchdog, stray sweep, spawn, verification: no ready line yet; SIGHUP is ignored.</summary>
    Starting,

    /// <summary>The ready line is out; slots keep their workers alive; SIGHUP rolls the workers.</summary>
    Supervising,

    /// <summary>One shared kill of every worker tree, exit reports, status file removed; SIGHUP is ignored.</summary>
    Stopping,

    /// <summary>Every worker is gone and reported; the host may exit.</summary>
    Stopped,
}
