namespace Launcher.Platform;

/// <summary>
/// A child <see cref="LinuxVforkStart"/> started: its pid, the pidfd that names it until it is reaped, and the read
/// ends of its stdout and stderr pipes (all owned by the caller).
/// </summary>
internal sealed record LinuxChild(int Pid, int PidFd, int StdoutFd, int StderrFd);
