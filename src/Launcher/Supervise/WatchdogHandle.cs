using System.Diagnostics;
using Launcher.Agent.Protocol;
using Launcher.Spawn;

namespace Launcher.Supervise;

/// <summary>
/// The watchdog process's life inside one run (<see cref="Watchdog"/> has why it exists): started before the first
/// worker, released after the last one is gone.
/// </summary>
internal sealed class WatchdogHandle(LauncherGuardValue guard, ChildRegistry children, TimeProvider time)
{
    private static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(5);
    private Process? _process;

    public void Start()
    {
        _process = Watchdog.Start(guard);
        children.Add(_process.Id);
    }

    /// <summary>Closing the pipe releases the watchdog; its sweep finds nothing left and it exits.</summary>
    public async Task ReleaseAsync()
    {
        if (_process is not { } process)
            return;
        _process = null;
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync().WaitAsync(ExitLimit, time);
        }
        catch (TimeoutException)
        {
            // It exits on its own once its sweep is done; the launcher need not wait for that.
        }

        process.Dispose();
    }
}
