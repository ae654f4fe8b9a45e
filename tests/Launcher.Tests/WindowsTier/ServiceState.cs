namespace Launcher.Tests.WindowsTier;

/// <summary>One <c>sc.exe query</c>: the state (1 STOPPED, 2 START_PENDING, 3 STOP_PENDING, 4 RUNNING; -1 unknown), the exit codes, the output.</summary>
internal sealed record ServiceState(int State, int Win32ExitCode, int ServiceExitCode, string Output)
{
    public const int Stopped = 1;
    public const int StartPending = 2;
    public const int Running = 4;
}
