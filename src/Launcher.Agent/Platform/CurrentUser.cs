namespace Launcher.Agent.Platform;

/// <summary>The user this process runs as.</summary>
internal static class CurrentUser
{
    /// <summary>The real user id (<c>getuid(2)</c>); -1 where there is none.</summary>
    public static int Id => OperatingSystem.IsWindows() ? -1 : (int)Syscalls.GetUid();
}
