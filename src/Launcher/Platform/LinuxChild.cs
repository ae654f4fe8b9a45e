namespace Launcher.Platform;

/// <summary>
/// A child <see cref="LinuxCloneStart"/> forked: its pid, the pidfd that names it until it is reaped, and the read
/// ends of its stdout and stderr pipes (all owned by the caller). <paramref name="Released"/> is false when its image
/// could not be handed over: it then exits with 126 without running anything.
/// </summary>
internal sealed record LinuxChild(int Pid, int PidFd, int StdoutFd, int StderrFd, bool Released);
