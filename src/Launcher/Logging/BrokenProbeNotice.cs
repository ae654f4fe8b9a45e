using Microsoft.Extensions.Logging;

namespace Launcher.Logging;

/// <summary>
/// Says loudly, once per breakage, that the ping command itself is broken (deleted script, not executable, exit
/// 126/127), and once that it works again; every worker's liveness loop reports into the same notice, so 256 workers
/// give one error, not 256 (issue 10: a broken probe is the probe's failure, never a reason to kill the fleet).
/// </summary>
internal sealed class BrokenProbeNotice
{
    /// <summary>The run's notice (one launcher runs one fleet per process).</summary>
    public static readonly BrokenProbeNotice Shared = new();

    private int _broken;

    /// <summary>True while the last ping found the probe broken.</summary>
    public bool IsBroken => Volatile.Read(ref _broken) != 0;

    public void Broken(ILogger logger, string? problem)
    {
        if (Interlocked.Exchange(ref _broken, 1) == 0)
            Log.ProbeBroken(logger, problem ?? "unknown");
    }

    public void Works(ILogger logger)
    {
        if (Interlocked.Exchange(ref _broken, 0) != 0)
            Log.ProbeRepaired(logger);
    }
}
