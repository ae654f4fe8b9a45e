namespace Launcher.Platform;

/// <summary>The signals the launcher sends, with their Linux numbers.</summary>
internal enum Signal
{
    Kill = 9,
    Terminate = 15,
    Continue = 18,
}
