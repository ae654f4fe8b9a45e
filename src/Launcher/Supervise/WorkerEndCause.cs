namespace Launcher.Supervise;

/// <summary>What ended a worker, as the slot saw it (classified into an <see cref="ExitReason"/> by <see cref="ExitClassifier"/>).</summary>
internal enum WorkerEndCause
{
    /// <summary>Its exit event fired with nobody asking it to go.</summary>
    Exited,

    /// <summary>It missed the configured number of pings in a row.</summary>
    Hung,

    /// <summary>A replacement that ran but never answered within the start timeout.</summary>
    Silent,

    /// <summary>The launcher ended it: the stop, or a rolling restart.</summary>
    Stopped,
}
