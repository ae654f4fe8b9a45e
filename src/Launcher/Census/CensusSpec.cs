using Launcher.Config;

namespace Launcher.Census;

/// <summary>
/// The <c>census</c> section: a command that prints who consumes the queue right now, which of those nodes are
/// judged (<see cref="Scope"/>), how often while supervising, and how long one census may take.
/// </summary>
internal sealed record CensusSpec(CommandTemplate Command, CensusScope Scope, TimeSpan Interval, TimeSpan Timeout)
{
    /// <summary>The <c>census.scope</c> value as written in config.</summary>
    public string ScopeName => Scope == CensusScope.All ? "all" : "host";
}
