namespace Launcher.Exceptions;

/// <summary>Bad configuration or usage: exit 2, before anything is started or killed.</summary>
internal sealed class ConfigException(string key, string message, Exception? inner = null)
    : LauncherException($"'{key}': {message}", ExitCodes.BadUsage, inner)
{
    /// <summary>The configuration key or argument at fault, e.g. <c>ping:intervalSeconds</c>.</summary>
    public string Key { get; } = key;
}
