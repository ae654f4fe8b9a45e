using Launcher.Logging;
using Microsoft.Extensions.Logging;

namespace Launcher.Supervise;

/// <summary>
/// Test only: <c>LAUNCHER_TEST_FREEZE_FILE=/path</c> makes each supervision round block while that file exists, so a
/// test can wedge the loop on purpose and watch the systemd watchdog pings stop (SystemdNotifyTests). Unset (always,
/// outside the tests) it costs one null check per round.
/// </summary>
internal sealed class SupervisionFreezeHook(string? file, ILogger logger)
{
    public const string Variable = "LAUNCHER_TEST_FREEZE_FILE";

    public static SupervisionFreezeHook FromEnvironment(ILogger logger) =>
        new(Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } file ? file : null, logger);

    /// <summary>Blocks the calling round while the file exists.</summary>
    public void WaitWhileFrozen()
    {
        if (file is null || !File.Exists(file))
            return;
        Log.SupervisionFrozen(logger, Variable, file);
        while (File.Exists(file))
            Thread.Sleep(100); // a wedged loop, on purpose: it must hold its thread like a real deadlock
    }
}
