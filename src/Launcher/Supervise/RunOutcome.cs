namespace Launcher.Supervise;

/// <summary>The exit code `launcher run` ends with, set by whoever decides it first.</summary>
internal sealed class RunOutcome
{
    private int _exitCode;

    public int ExitCode => _exitCode;

    public string? Message { get; private set; }

    public void Fail(int exitCode, string message)
    {
        if (Interlocked.CompareExchange(ref _exitCode, exitCode, 0) == 0)
            Message = message;
    }
}
