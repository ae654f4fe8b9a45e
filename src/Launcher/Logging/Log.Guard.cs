using Launcher.Guard;
using Microsoft.Extensions.Logging;

namespace Launcher.Logging;

/// <summary>Guard and runtime directory messages (event ids 400-499).</summary>
internal static partial class Log
{
    /// <summary>Logs why an inherited LAUNCHER_GUARD did not stop this start.</summary>
    public static void EnvironmentGuardNoted(ILogger logger, EnvironmentGuardNote note)
    {
        switch (note.Kind)
        {
            case EnvironmentGuardNoteKind.Malformed:
                GuardMalformed(logger, note.Value);
                break;
            case EnvironmentGuardNoteKind.Stale:
                GuardStale(logger, note.LauncherPid);
                break;
            case EnvironmentGuardNoteKind.OtherInstance:
                GuardOfOtherInstance(logger, note.LauncherPid, note.LauncherInstance);
                break;
        }
    }

    [LoggerMessage(400, LogLevel.Information, "ignoring malformed LAUNCHER_GUARD='{Guard}'")]
    private static partial void GuardMalformed(ILogger logger, string guard);

    [LoggerMessage(401, LogLevel.Information, "ignoring stale LAUNCHER_GUARD of launcher pid {LauncherPid}: that launcher is gone")]
    private static partial void GuardStale(ILogger logger, int launcherPid);

    [LoggerMessage(402, LogLevel.Information, "started under launcher pid {LauncherPid} of instance '{LauncherInstance}'; running beside it")]
    private static partial void GuardOfOtherInstance(ILogger logger, int launcherPid, string? launcherInstance);
}
