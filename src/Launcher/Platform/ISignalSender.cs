namespace Launcher.Platform;

/// <summary>Sends signals by identity, never by bare pid.</summary>
internal interface ISignalSender
{
    /// <summary>
    /// Sends <paramref name="signal"/> if <paramref name="target"/> still names the same process;
    /// returns false (and sends nothing) when it is gone or its pid now belongs to someone else.
    /// </summary>
    bool Send(ProcessIdentity target, Signal signal);
}
