using System.Globalization;
using Launcher.Logging;
using Launcher.Supervise;
using Microsoft.Extensions.Logging;

namespace Launcher.Cli;

/// <summary>
/// The console and systemd side of a run: the verification progress line (stderr, terminals only), then the ready
/// line, plainly on stdout for scripts (`launcher run | grep -m1 ready:`), in the log, and as READY=1 to
/// NOTIFY_SOCKET (sd_notify(3)); then STATUS= as the workers change, RELOADING=1 / READY=1 around a SIGHUP
/// rolling restart, and STOPPING=1 when the stop begins.
/// </summary>
internal sealed class RunReporter(ILogger logger, Func<string, bool>? notify = null) : IRunReporter
{
    private readonly Lock _gate = new();
    private readonly Func<string, bool> _notify = notify ?? SystemdNotifier.Notify;
    private ProgressLine? _progress;
    private string? _lastStatus;
    private bool _ready;
    private bool _stopping;

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
        lock (_gate)
        {
            _ready = true;
            _lastStatus = readyLine;
            _notify($"READY=1\nSTATUS={readyLine}\nMAINPID={Environment.ProcessId}");
        }
    }

    public void WorkersChanged(string summary)
    {
        // Under one lock with the others: a STATUS= computed before STOPPING=1 must not arrive after it; and none
        // before READY=1, whose STATUS= is the ready line.
        lock (_gate)
        {
            if (!_ready || _stopping || summary == _lastStatus)
                return;
            _lastStatus = summary;
            _notify("STATUS=" + summary);
        }
    }

    public void Reloading()
    {
        lock (_gate)
        {
            if (!_ready || _stopping)
                return;
            _lastStatus = "reloading: rolling restart of the workers";
            _notify($"RELOADING=1\nMONOTONIC_USEC={MonotonicClock.NowMicroseconds().ToString(CultureInfo.InvariantCulture)}\nSTATUS={_lastStatus}");
        }
    }

    public void Reloaded(string summary)
    {
        lock (_gate)
        {
            if (!_ready || _stopping)
                return;
            _lastStatus = summary;
            _notify($"READY=1\nSTATUS={summary}");
        }
    }

    public void Stopping()
    {
        lock (_gate)
        {
            if (_stopping)
                return;
            _stopping = true;
            _lastStatus = "stopping the workers";
            _notify($"STOPPING=1\nSTATUS={_lastStatus}");
        }
    }
}
