namespace Launcher.Census;

/// <summary><c>census.scope</c>: which consumers the census judges.</summary>
internal enum CensusScope
{
    /// <summary>Only nodes whose host is this machine's host name (the default).</summary>
    Host,

    /// <summary>Every node on the queue, from any host.</summary>
    All,
}
