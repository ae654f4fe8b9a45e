using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Launcher.Platform.Windows;

/// <summary>
/// <c>launcher run</c> as a Windows service, through the service control manager's own API
/// (https://learn.microsoft.com/windows/win32/services/service-programs): <c>StartServiceCtrlDispatcherW</c> on a
/// dedicated thread, <c>RegisterServiceCtrlHandlerExW</c> in ServiceMain, then <c>SetServiceStatus</c>:
/// START_PENDING while the run sweeps, spawns and verifies (its checkpoint advanced every
/// <see cref="PendingBeat"/>), RUNNING only at the ready line (<see cref="ReportRunning"/>), STOP_PENDING when the
/// stop begins, STOPPED with the launcher's exit code (ERROR_SERVICE_SPECIFIC_ERROR plus the code, 0 for a clean stop).
/// SERVICE_CONTROL_STOP and SHUTDOWN run the normal graceful stop (<see cref="StopWith"/>).
/// Why not <c>UseWindowsService()</c>: docs/ARCHITECTURE.md, "Windows service".
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class ServiceControlSession
{
    /// <summary>How often a pending state's checkpoint advances, and (times 5) the wait hint given with it.</summary>
    public static readonly TimeSpan PendingBeat = TimeSpan.FromSeconds(2);

    // The dispatcher's callbacks are unmanaged function pointers without a useful context: they reach the session here.
    private static ServiceControlSession? _current;

    private readonly string _name;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<int> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ServiceApi.Status _status;
    private nint _statusHandle;
    private ITimer? _beat;
    private Action? _stop;
    private bool _stopRequested;

    private ServiceControlSession(string name, TimeProvider time)
    {
        _name = name;
        _time = time;
        _status.ServiceType = ServiceApi.ServiceWin32OwnProcess;
    }

    /// <summary>The session of this process, once <see cref="RunAsync"/> has started one.</summary>
    public static ServiceControlSession? Current => Volatile.Read(ref _current);

    /// <summary>
    /// Connects to the service control manager as <paramref name="serviceName"/>, runs <paramref name="run"/> (the whole
    /// <c>launcher run</c>, its errors already mapped to exit codes) and reports STOPPED with its exit code. Returns the
    /// Win32 error instead of running anything when the process was not started by the service control manager.
    /// </summary>
    public static async Task<(bool Connected, int Code)> RunAsync(string serviceName, Func<Task<int>> run, TimeProvider time)
    {
        var session = new ServiceControlSession(serviceName, time);
        if (Interlocked.CompareExchange(ref _current, session, null) is not null)
            throw new InvalidOperationException("one service session per process");

        // StartServiceCtrlDispatcherW blocks its thread until the service reports STOPPED; ServiceMain runs on another.
        var dispatcher = new Thread(session.Dispatch) { IsBackground = true, Name = "service dispatcher" };
        dispatcher.Start();
        if (await session._connected.Task is var error and not 0)
            return (false, error);

        var code = 1;
        try
        {
            code = await run();
        }
        finally
        {
            session.ReportStopped(code);
            // After STOPPED the dispatcher returns; the process may end at any moment from here on anyway.
            dispatcher.Join(TimeSpan.FromSeconds(10));
        }

        return (true, code);
    }

    /// <summary>
    /// What SERVICE_CONTROL_STOP (or SHUTDOWN) does: <paramref name="stop"/>, the run's graceful stop. Called once the host
    /// exists; a stop asked for earlier runs it at once.
    /// </summary>
    public void StopWith(Action stop)
    {
        bool now;
        lock (_gate)
        {
            _stop = stop;
            now = _stopRequested;
        }

        if (now)
            stop();
    }

    /// <summary>The ready line: RUNNING, accepting STOP and SHUTDOWN. Only from START_PENDING (a rolling restart keeps RUNNING).</summary>
    public void ReportRunning()
    {
        lock (_gate)
        {
            if (_status.CurrentState == ServiceApi.StateStartPending)
                SetLocked(ServiceApi.StateRunning);
        }
    }

    /// <summary>The stop began (asked for, or the run ended on its own): STOP_PENDING, its checkpoint advancing.</summary>
    public void ReportStopping()
    {
        lock (_gate)
        {
            if (_status.CurrentState is ServiceApi.StateStartPending or ServiceApi.StateRunning)
                SetLocked(ServiceApi.StateStopPending);
        }
    }

    private void ReportStopped(int exitCode)
    {
        lock (_gate)
        {
            _beat?.Dispose();
            _beat = null;
            if (_statusHandle == 0 || _status.CurrentState == ServiceApi.StateStopped)
                return;
            _status.Win32ExitCode = exitCode == 0 ? 0u : ServiceApi.ErrorServiceSpecificError;
            _status.ServiceSpecificExitCode = (uint)exitCode;
            SetLocked(ServiceApi.StateStopped);
        }
    }

    private unsafe void Dispatch()
    {
        fixed (char* name = _name)
        {
            var table = stackalloc ServiceApi.TableEntry[2];
            table[0] = new ServiceApi.TableEntry { ServiceName = name, ServiceMain = &ServiceMain };
            table[1] = default;
            var dispatched = ServiceApi.StartDispatcher(table);
            // Not started by the service control manager: ERROR_FAILED_SERVICE_CONTROLLER_CONNECT at once.
            _connected.TrySetResult(dispatched ? ServiceApi.ErrorFailedServiceControllerConnect : Marshal.GetLastPInvokeError());
        }
    }

    [UnmanagedCallersOnly]
    private static unsafe void ServiceMain(uint argc, char** argv)
    {
        try
        {
            Current?.Register();
        }
        catch (Exception ex)
        {
            // An exception must not cross into the dispatcher's native frames.
            Current?._connected.TrySetException(ex);
        }
    }

    private unsafe void Register()
    {
        var handle = ServiceApi.RegisterHandler(_name, &HandleControl, null);
        if (handle == 0)
        {
            _connected.TrySetResult(Marshal.GetLastPInvokeError());
            return;
        }

        lock (_gate)
        {
            _statusHandle = handle;
            SetLocked(ServiceApi.StateStartPending);
            _beat = _time.CreateTimer(_ => Beat(), null, PendingBeat, PendingBeat);
        }

        // ServiceMain returns; the service lives on until it reports STOPPED.
        _connected.TrySetResult(0);
    }

    [UnmanagedCallersOnly]
    private static unsafe uint HandleControl(uint control, uint eventType, void* eventData, void* context)
    {
        try
        {
            var session = Current;
            switch (control)
            {
                case ServiceApi.ControlStop or ServiceApi.ControlShutdown or ServiceApi.ControlPreshutdown when session is not null:
                    session.RequestStop();
                    return 0;
                case ServiceApi.ControlInterrogate:
                    return 0;
                default:
                    return ServiceApi.ErrorCallNotImplemented;
            }
        }
        catch (Exception)
        {
            return ServiceApi.ErrorCallNotImplemented;
        }
    }

    private void RequestStop()
    {
        Action? stop;
        lock (_gate)
        {
            if (_stopRequested)
                return;
            _stopRequested = true;
            stop = _stop;
            if (_status.CurrentState is ServiceApi.StateStartPending or ServiceApi.StateRunning)
                SetLocked(ServiceApi.StateStopPending);
        }

        // The handler must return within seconds; the stop's callbacks run elsewhere.
        if (stop is not null)
            ThreadPool.QueueUserWorkItem(_ => stop());
    }

    private void Beat()
    {
        lock (_gate)
        {
            if (_status.CurrentState is ServiceApi.StateStartPending or ServiceApi.StateStopPending)
            {
                _status.CheckPoint++;
                Send();
            }
        }
    }

    private void SetLocked(uint state)
    {
        _status.CurrentState = state;
        // No controls while a state change is pending (the convention of Microsoft's service sample).
        _status.ControlsAccepted = state == ServiceApi.StateRunning ? ServiceApi.AcceptStop | ServiceApi.AcceptShutdown : 0;
        var pending = state is ServiceApi.StateStartPending or ServiceApi.StateStopPending;
        _status.CheckPoint = pending ? 1u : 0u;
        _status.WaitHint = pending ? (uint)(PendingBeat.TotalMilliseconds * 5) : 0u;
        Send();
    }

    private unsafe void Send()
    {
        if (_statusHandle == 0)
            return;
        fixed (ServiceApi.Status* status = &_status)
            ServiceApi.SetServiceStatus(_statusHandle, status);
    }
}
