using Launcher.Agent.Protocol;

namespace Launcher.Control;

/// <summary>
/// <c>&lt;runtime&gt;/&lt;instance&gt;.control.sock</c>: beside the lock, in the private (0700) runtime directory, and
/// shorter than the workers' <c>&lt;instance&gt;/workers/&lt;pid&gt;.sock</c> whose length `run` already checks against
/// sun_path's 108 bytes (unix(7)).
/// </summary>
internal static class ControlSocketPath
{
    public static string For(RuntimePaths paths) => Path.Combine(paths.Root, paths.Instance + ".control.sock");
}
