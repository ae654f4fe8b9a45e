using System.Diagnostics;
using Launcher.Agent.Protocol;
using Launcher.Logging;
using Microsoft.Extensions.Logging;

namespace Launcher.Spawn;

/// <summary>
/// Keeps the watchdog (<see cref="Watchdog"/>) alive for as long as the launcher runs. Without it a SIGKILL of the
/// launcher leaves every worker that shed its parent-death signal running, so its death is noticed at once (the
/// process exit event) and it is restarted, loudly; a watchdog that keeps dying (five times in a minute) is not
/// restarted again, and the log says what that means.
/// </summary>
internal sealed class WatchdogKeeper(LauncherGuardValue guard, string? cgroup, ChildRegistry children, ILogger logger)
{
    private const int MaxDeaths = 5;
    private static readonly TimeSpan DeathWindow = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(5);
    private readonly Lock _gate = new();
    private readonly Queue<DateTime> _deaths = new();
    private Process? _current;
    private bool _stopping;

    /// <summary>The watchdog's pid, or null when none runs.</summary>
    public int? Pid
    {
        get
        {
            lock (_gate)
                return _current?.Id;
        }
    }

    public void Start()
    {
        if (OperatingSystem.IsWindows())
            return; // the job object's kill-on-close does the watchdog's work there (Platform/Windows/WorkerJob)
        lock (_gate)
            _current = Launch();
    }

    /// <summary>Releases the watchdog (closes its pipe: it sweeps, finds nothing, exits) and waits for it, bounded.</summary>
    public async Task ReleaseAsync()
    {
        Process? watchdog;
        lock (_gate)
        {
            _stopping = true;
            watchdog = _current;
            _current = null;
        }

        if (watchdog is null)
            return;
        watchdog.StandardInput.Close();
        try
        {
            await watchdog.WaitForExitAsync().WaitAsync(StopLimit);
        }
        catch (TimeoutException)
        {
        }

        children.Remove(watchdog.Id);
        watchdog.Dispose();
    }

    private Process Launch()
    {
        Process watchdog;
        using (children.BeginStart())
        {
            watchdog = Watchdog.Start(guard, cgroup);
            children.Add(watchdog.Id);
        }

        watchdog.EnableRaisingEvents = true;
        watchdog.Exited += (_, _) => OnExited(watchdog);
        return watchdog;
    }

    private void OnExited(Process watchdog)
    {
        lock (_gate)
        {
            if (_stopping || !ReferenceEquals(watchdog, _current))
                return;
            _current = null;
            children.Remove(watchdog.Id);
            Log.WatchdogDied(logger, watchdog.Id, Describe(watchdog));

            var now = DateTime.UtcNow;
            _deaths.Enqueue(now);
            while (_deaths.Count > 0 && now - _deaths.Peek() > DeathWindow)
                _deaths.Dequeue();
            if (_deaths.Count >= MaxDeaths)
            {
                Log.WatchdogGaveUp(logger, _deaths.Count, DeathWindow.TotalSeconds);
                return;
            }

            try
            {
                _current = Launch();
                Log.WatchdogRestarted(logger, _current.Id);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
            {
                Log.WatchdogRestartFailed(logger, ex.Message);
            }
        }
    }

    private static string Describe(Process watchdog)
    {
        try
        {
            return watchdog.ExitCode > 128 ? $"signal {watchdog.ExitCode - 128}" : $"exit code {watchdog.ExitCode}";
        }
        catch (InvalidOperationException)
        {
            return "exit unknown";
        }
    }
}
