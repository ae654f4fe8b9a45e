using Microsoft.Extensions.Logging;

namespace Launcher.Logging;

/// <summary>The broker census (issue 11): lost registrations, foreign consumers, failed censuses (event ids 550-599).</summary>
internal static partial class Log
{
    [LoggerMessage(550, LogLevel.Information, "Census at start ({Scope}): {Verdict}")]
    public static partial void CensusAtStart(ILogger logger, string scope, string verdict);

    [LoggerMessage(551, LogLevel.Warning, "Census failed while supervising (a warning: nothing is stopped for it): {Failure}")]
    public static partial void CensusFailedWhileSupervising(ILogger logger, string failure);

    [LoggerMessage(552, LogLevel.Warning, "Census: {Node} (pid {Pid}) is a lost registration (its worker died without anyone reporting it); running onWorkerExit with reason lost")]
    public static partial void CensusLost(ILogger logger, string node, int pid);

    [LoggerMessage(553, LogLevel.Warning, "Census: lost registration(s) {Nodes} found, but no onWorkerExit is configured to clean them")]
    public static partial void CensusLostWithoutHook(ILogger logger, string nodes);

    [LoggerMessage(554, LogLevel.Warning, "Census: foreign consumer {Consumer} beside ours is a stray of this instance on this machine; stopping it")]
    public static partial void CensusForeignStopping(ILogger logger, string consumer);

    [LoggerMessage(555, LogLevel.Warning, "Census: foreign consumer {Consumer} beside ours; left running (it is not provably a stray of this instance on this machine)")]
    public static partial void CensusForeign(ILogger logger, string consumer);

    [LoggerMessage(556, LogLevel.Information, "Census: foreign consumer {Node} is no longer listed")]
    public static partial void CensusForeignGone(ILogger logger, string node);

    [LoggerMessage(557, LogLevel.Warning, "Census: stopped foreign consumer {Result}")]
    public static partial void CensusForeignStopped(ILogger logger, string result);

    [LoggerMessage(558, LogLevel.Information, "Census: the broker still lists {Consumer}, whose worker is gone (stale; the next start cleans it with onWorkerExit, reason lost)")]
    public static partial void CensusStale(ILogger logger, string consumer);

    [LoggerMessage(559, LogLevel.Information, "Census: our worker {Node} is not listed by the broker")]
    public static partial void CensusMissing(ILogger logger, string node);

    [LoggerMessage(560, LogLevel.Information, "Census verified: exactly our {Count} node(s) in scope ({Nodes})")]
    public static partial void CensusVerified(ILogger logger, int count, string nodes);

    [LoggerMessage(561, LogLevel.Debug, "Census supervising every {Seconds} s: {Verdict}")]
    public static partial void CensusRound(ILogger logger, double seconds, string verdict);

    [LoggerMessage(562, LogLevel.Information, "Census: the census works again")]
    public static partial void CensusRecovered(ILogger logger);
}
