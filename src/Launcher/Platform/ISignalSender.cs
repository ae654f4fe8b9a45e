namespace Launcher.Platform;

/// <summary>Sends signals by identity, never by bare pid.</summary>
internal interface ISignalSender
{
    /// <summary>
    /// True when the check and the signal cannot race (the kernel pins the target process); false when a pid
    /// reused between them could be hit, however unlikely (Linux before 5.3).
    /// </summary>
    bool IsRaceFree { get; }

    /// <summary>
    /// Sends <paramref name="signal"/> if <paramref name="target"/> still names the same process;
    /// returns false (and sends nothing) when it is gone or its pid now belongs to someone else.
    /// </summary>
    bool Send(ProcessIdentity target, Signal signal);
}
