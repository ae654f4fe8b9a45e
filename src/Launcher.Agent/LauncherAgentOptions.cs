namespace Launcher.Agent;

/// <summary>Settings for a worker that is started without a launcher (for example from an IDE profile).</summary>
public sealed class LauncherAgentOptions
{
    /// <summary>The instance to register in when <c>LAUNCHER_INSTANCE</c> is not set. Null disables the agent then.</summary>
    public string? Instance { get; set; }

    /// <summary>How often the agent checks that its launcher is still alive.</summary>
    public TimeSpan ParentWatchInterval { get; set; } = TimeSpan.FromSeconds(1);
}
