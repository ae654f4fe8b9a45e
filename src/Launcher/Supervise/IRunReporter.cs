namespace Launcher.Supervise;

/// <summary>
/// Tells the user and the service manager how the run is going: verification progress, then the ready line, then
/// the workers' state, reloads and the stop (implemented in Cli, so supervision does not depend on the console).
/// </summary>
internal interface IRunReporter
{
    void VerificationProgress(int answered, int expected);

    /// <summary>Verification is over, either way: take the progress display away.</summary>
    void VerificationDone();

    /// <summary>The run is supervising: the ready line for scripts, the log, and READY=1 for systemd.</summary>
    void Ready(string readyLine);

    /// <summary>The workers changed (<see cref="SupervisionSummary"/>): systemd's STATUS=, sent when it differs from the last.</summary>
    void WorkersChanged(string summary);

    /// <summary>A SIGHUP rolling restart begins: RELOADING=1 with MONOTONIC_USEC.</summary>
    void Reloading();

    /// <summary>The rolling restart is over: READY=1 again, with the workers' state.</summary>
    void Reloaded(string summary);

    /// <summary>The run is stopping: STOPPING=1.</summary>
    void Stopping();
}
