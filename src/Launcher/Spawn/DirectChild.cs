namespace Launcher.Spawn;

/// <summary>A child <see cref="DirectStart"/> forked: its pid and its stdout and stderr to read (the caller disposes them).</summary>
internal sealed record DirectChild(int Pid, Stream Stdout, Stream Stderr);
