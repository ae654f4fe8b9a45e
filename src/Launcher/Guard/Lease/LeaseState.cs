namespace Launcher.Guard.Lease;

/// <summary>The life of a held lease. Holding -> Lost (could not renew, or it is not ours any more) or Released (clean stop).</summary>
internal enum LeaseState
{
    Holding,
    Lost,
    Released,
}
