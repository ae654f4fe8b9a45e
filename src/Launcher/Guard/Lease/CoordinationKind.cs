namespace Launcher.Guard.Lease;

/// <summary>How an instance is kept to one launcher: on this machine only, or across hosts through Redis.</summary>
internal enum CoordinationKind
{
    /// <summary>The kernel lock file in the runtime directory (one launcher per instance on this machine).</summary>
    Local,

    /// <summary>The local lock plus a Redis lease: one launcher per instance across every host that shares the Redis.</summary>
    Redis,
}
