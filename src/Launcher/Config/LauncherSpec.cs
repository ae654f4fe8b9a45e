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
    /// <summary>One host at a time through a Redis lease, or this machine only (the default).</summary>
    public Guard.Lease.CoordinationSpec Coordination { get; init; } = Guard.Lease.CoordinationSpec.Local;
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
