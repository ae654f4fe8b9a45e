namespace Launcher.Spawn;

/// <summary>How a worker process ended. .NET reports death by signal N as exit code 128+N.</summary>
internal sealed record WorkerExit(int ExitCode, DateTimeOffset ExitedAt)
{
    /// <summary>
    /// When the exit event reached the launcher (<see cref="TimeProvider.GetTimestamp"/>), 0 when unknown: where a
    /// restart's step timings start (<c>Supervise/RestartTimings</c>).
    /// </summary>
    public long Timestamp { get; init; }

    public int? Signal => ExitCode is > 128 and < 128 + 65 ? ExitCode - 128 : null;

    public override string ToString() => Signal is { } signal ? $"signal {signal} ({SignalName(signal)})" : $"exit code {ExitCode}";

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        6 => "SIGABRT",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        15 => "SIGTERM",
        _ => "SIG" + signal,
    };
}
