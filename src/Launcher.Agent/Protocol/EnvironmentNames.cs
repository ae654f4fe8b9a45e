namespace Launcher.Agent.Protocol;

/// <summary>
/// Environment variables the launcher sets for every worker. Descendants inherit them, which is how the
/// launcher recognises a worker's whole tree, including grandchildren that left the process group.
/// </summary>
internal static class EnvironmentNames
{
    /// <summary>The instance name; the marker that identifies every process of an instance.</summary>
    public const string Instance = "LAUNCHER_INSTANCE";

    /// <summary>The worker's node name, <c>api&lt;pid&gt;@&lt;host&gt;</c>.</summary>
    public const string Node = "LAUNCHER_NODE";

    /// <summary>The supervising launcher, <c>&lt;instance&gt;:&lt;pid&gt;:&lt;startTicks&gt;</c>: catches recursive starts.</summary>
    public const string Guard = "LAUNCHER_GUARD";

    /// <summary>Where guards, registrations and sockets live.</summary>
    public const string RuntimeDir = "LAUNCHER_RUNTIME_DIR";

    /// <summary>Set to <c>1</c> to make a .NET worker print its pid and wait for a debugger.</summary>
    public const string WaitForDebugger = "LAUNCHER_WAIT_FOR_DEBUGGER";

    /// <summary><c>refuse</c> (default) or <c>replace</c>: what a worker started without a launcher does about a running one.</summary>
    public const string OnDuplicate = "LAUNCHER_ON_DUPLICATE";
}
