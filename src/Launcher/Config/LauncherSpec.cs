using System.Text.RegularExpressions;

namespace Launcher.Config;

/// <summary>A validated, immutable configuration. Built once by <see cref="ConfigLoader"/>; nothing downstream re-validates.</summary>
internal sealed record LauncherSpec(
    string Instance,
    string SourceDescription,
    string BaseDirectory,
    CommandTemplate Command,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    int Workers,
    string LogDir,
    TimeSpan StartTimeout,
    TimeSpan StopGrace,
    long LogFileSizeLimitBytes,
    int LogFilesRetained,
    PingSpec Ping,
    RestartSpec Restart,
    IReadOnlyList<Regex> StrayPatterns,
    HookSpec? OnWorkerExit)
{
    /// <summary>Default of <c>logDirMaxBytes</c>: the log directory's cap per instance (oldest files of dead workers go first).</summary>
    public const long DefaultLogDirMaxBytes = 200L * 1024 * 1024;

    /// <summary>One host at a time through a Redis lease, or this machine only (the default).</summary>
    public Guard.Lease.CoordinationSpec Coordination { get; init; } = Guard.Lease.CoordinationSpec.Local;

    /// <summary><c>logDirMaxBytes</c>: all logs of <c>logDir</c> together; over it, dead workers' oldest files are deleted.</summary>
    public long LogDirMaxBytes { get; init; } = DefaultLogDirMaxBytes;

    /// <summary><c>census</c>: who the broker sees consuming, part of verification and supervision; null: no census.</summary>
    public Census.CensusSpec? Census { get; init; }

    /// <summary><c>metrics.listen</c>: where /metrics, the status page and /status.json are served; null (the default): off.</summary>
    public Observe.ListenAddress? MetricsListen { get; init; }
}

/// <summary>Liveness and readiness checks. <see cref="Command"/> null means the socket protocol.</summary>
internal sealed record PingSpec(CommandTemplate? Command, TimeSpan Interval, TimeSpan Timeout, int MissedLimit);

/// <summary>Restart policy: exponential backoff with jitter, reset after healthy uptime, crash-loop cut-off.</summary>
internal sealed record RestartSpec(
    bool Enabled,
    TimeSpan InitialDelay,
    TimeSpan MaxDelay,
    TimeSpan ResetAfter,
    int CrashLoopCount,
    TimeSpan CrashLoopWindow);

/// <summary>The command run after any worker ends.</summary>
internal sealed record HookSpec(CommandTemplate Command, TimeSpan Timeout);
