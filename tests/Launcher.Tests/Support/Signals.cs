namespace Launcher.Tests.Support;

/// <summary>Linux signal numbers, for <see cref="LauncherProcess.Signal"/> and <see cref="ProcessProbe.Signal"/>.</summary>
internal static class Signals
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;
}
