namespace Launcher.Strays;

/// <summary>A registration whose process is gone or whose pid now belongs to another process.</summary>
internal sealed record StaleRegistration(string File, string? Node, int? Pid, string Reason);
