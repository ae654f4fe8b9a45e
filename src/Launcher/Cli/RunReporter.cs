using Launcher.Logging;
using Launcher.Supervise;
using Microsoft.Extensions.Logging;

namespace Launcher.Cli;

/// <summary>
/// The console and systemd side of a run: the verification progress line (stderr, terminals only), then the ready
/// line, plainly on stdout for scripts (`launcher run | grep -m1 ready:`), in the log, and as READY=1 to
/// NOTIFY_SOCKET (sd_notify(3)).
/// </summary>
internal sealed class RunReporter(ILogger logger) : IRunReporter
{
    private readonly Lock _gate = new();
    private ProgressLine? _progress;

    public void VerificationProgress(int answered, int expected)
    {
        lock (_gate)
            (_progress ??= new ProgressLine()).Update($"verifying workers: {answered}/{expected} answered");
    }

    public void VerificationDone()
    {
        lock (_gate)
        {
            _progress?.Dispose();
            _progress = null;
        }
    }

    public void Ready(string readyLine)
    {
        Console.Out.WriteLine(readyLine);
        Log.Ready(logger, readyLine);
        SystemdNotifier.Notify($"READY=1\nSTATUS={readyLine}\nMAINPID={Environment.ProcessId}");
    }
}
