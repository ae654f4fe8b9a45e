using Microsoft.Extensions.Logging;

namespace Launcher.Logging;

/// <summary>Log files, hook output and bounded buffers (event ids 800-899).</summary>
internal static partial class Log
{
    [LoggerMessage(800, LogLevel.Warning, "onWorkerExit [{Node}] printed more than {MaxChars} chars; the rest of its output is discarded")]
    public static partial void HookOutputDiscarded(ILogger logger, string node, int maxChars);

    [LoggerMessage(801, LogLevel.Error, "The ping command is broken ({Problem}); this is the probe's failure, not the workers': they are kept running and not counted as hung until the ping command works again")]
    public static partial void ProbeBroken(ILogger logger, string problem);

    [LoggerMessage(802, LogLevel.Information, "The ping command works again")]
    public static partial void ProbeRepaired(ILogger logger);
}
