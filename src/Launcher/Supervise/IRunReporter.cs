namespace Launcher.Supervise;

/// <summary>
/// Tells the user and the service manager how the start is going: verification progress, then the ready line
/// (implemented in Cli, so supervision does not depend on the console).
/// </summary>
internal interface IRunReporter
{
    void VerificationProgress(int answered, int expected);

    /// <summary>Verification is over, either way: take the progress display away.</summary>
    void VerificationDone();

    /// <summary>The run is supervising: the ready line for scripts, the log, and READY=1 for systemd.</summary>
    void Ready(string readyLine);
}
