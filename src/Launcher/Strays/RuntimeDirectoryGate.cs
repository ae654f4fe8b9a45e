using Launcher.Agent.Protocol;
using Launcher.Exceptions;
using Launcher.Guard;
using Launcher.Platform;

namespace Launcher.Strays;

/// <summary>
/// The runtime directory check of `launcher run`, for the commands that only read it and then act on what they read
/// (`strays --kill`, `stop`, `status`, `ping`): a registration or holder file planted in a directory of another user,
/// or behind a symlink, must never make us signal anything (issue 10, item 2). Nothing is created or changed.
/// </summary>
internal static class RuntimeDirectoryGate
{
    /// <summary>
    /// Throws (exit 2, one line) when <see cref="RuntimeDirectory.Prepare"/> would refuse the runtime directory, or
    /// when the instance or workers directory in it is a symlink, not a directory, or another user's.
    /// </summary>
    public static void Require(RuntimePaths paths, PlatformServices platform)
    {
        foreach (var directory in (string[])[paths.Root, Path.GetDirectoryName(paths.WorkersDir)!, paths.WorkersDir])
        {
            if (RuntimeDirectory.Inspect(directory, platform, out _) is { } problem)
                throw new EnvironmentException($"refusing runtime directory {paths.Root}: {problem} (set {EnvironmentNames.RuntimeDir} to a private directory)");
        }
    }
}
