using Microsoft.Extensions.Logging;

namespace Launcher.Logging;

/// <summary>The restart fast path and the launcher's memory (issue 12, parts 2 and 4; event ids 1100-1149).</summary>
internal static partial class Log
{
    [LoggerMessage(1100, LogLevel.Debug,
        "Restart of slot #{Index}: {Old} exit event -> slot awake {SlotMs:F2} ms, leftover check {LeftoverMs:F2} ms, end reported {ReportedMs:F2} ms, "
        + "backoff over {BackoffMs:F2} ms, replacement forked (pid {Pid}) {ForkedMs:F2} ms, spawn done {SpawnedMs:F2} ms after the exit event")]
    public static partial void RestartTimed(
        ILogger logger, int index, string old, double slotMs, double leftoverMs, double reportedMs, double backoffMs, int pid, double forkedMs, double spawnedMs);
}
