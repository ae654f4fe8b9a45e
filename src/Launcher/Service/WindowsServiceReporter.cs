using System.Runtime.Versioning;
using Launcher.Platform.Windows;
using Launcher.Supervise;

namespace Launcher.Service;

/// <summary>
/// The run's reporter, and the service control manager told the same moments: RUNNING at the ready line (never before
/// verification), STOP_PENDING when the stop begins. Everything else goes to <paramref name="inner"/> unchanged.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsServiceReporter(IRunReporter inner, ServiceControlSession session) : IRunReporter
{
    public void VerificationProgress(int answered, int expected) => inner.VerificationProgress(answered, expected);

    public void VerificationDone() => inner.VerificationDone();

    public void Ready(string readyLine)
    {
        inner.Ready(readyLine);
        session.ReportRunning();
    }

    public void WorkersChanged(string summary) => inner.WorkersChanged(summary);

    public void Reloading() => inner.Reloading();

    public void Reloaded(string summary) => inner.Reloaded(summary);

    public void Stopping()
    {
        session.ReportStopping();
        inner.Stopping();
    }
}
