namespace Launcher.Exceptions;

/// <summary>How another launcher holds an instance.</summary>
internal enum GuardHeldReason
{
    /// <summary>It holds the instance lock.</summary>
    LockHeld,

    /// <summary>It is our ancestor: this launcher was started from inside one of its workers.</summary>
    RecursiveStart,

    /// <summary>It supervises a worker of this instance (with another runtime directory, so its lock is not seen).</summary>
    WorkerOwned,
}
