namespace Launcher.Config;

// Mutable shapes for the configuration binder (source-generated, AOT-safe). Nothing outside ConfigLoader
// reads these: it validates them once into LauncherSpec. Key names are the JSON names in camelCase.

internal sealed class LauncherOptions
{
    public string? Instance { get; set; }
    public List<string>? Command { get; set; }
    public string? WorkingDirectory { get; set; }
    public Dictionary<string, string>? Environment { get; set; }
    public int? Workers { get; set; }
    public string? LogDir { get; set; }
    public double? StartTimeoutSeconds { get; set; }
    public double? StopGraceSeconds { get; set; }
    public long? LogFileSizeLimitBytes { get; set; }
    public int? LogFilesRetained { get; set; }
    public PingOptions? Ping { get; set; }
    public RestartOptions? Restart { get; set; }
    public StraysOptions? Strays { get; set; }
    public HookOptions? OnWorkerExit { get; set; }
}

internal sealed class PingOptions
{
    public List<string>? Command { get; set; }
    public double? IntervalSeconds { get; set; }
    public double? TimeoutSeconds { get; set; }
    public int? MissedLimit { get; set; }
}

internal sealed class RestartOptions
{
    public bool? Enabled { get; set; }
    public double? InitialDelaySeconds { get; set; }
    public double? MaxDelaySeconds { get; set; }
    public double? ResetAfterSeconds { get; set; }
    public int? CrashLoopCount { get; set; }
    public double? CrashLoopWindowSeconds { get; set; }
}

internal sealed class StraysOptions
{
    public List<string>? Match { get; set; }
}

internal sealed class HookOptions
{
    public List<string>? Command { get; set; }
    public double? TimeoutSeconds { get; set; }
}
