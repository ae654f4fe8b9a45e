using System.Globalization;

namespace Launcher.Exceptions;

/// <summary>Workers kept dying: the launcher stopped the instance and exits 5.</summary>
internal sealed class CrashLoopException(int slot, int exits, TimeSpan window, int limit, string lastExit)
    : LauncherException(
        string.Create(CultureInfo.InvariantCulture,
            $"crash loop: worker slot #{slot} had {exits} unexpected exits within {window.TotalSeconds:F0} s (restart:crashLoopCount {limit}); last was {lastExit}"),
        ExitCodes.CrashLoop)
{
    /// <summary>The worker slot that kept crashing.</summary>
    public int Slot { get; } = slot;

    /// <summary>Its unexpected exits within <see cref="Window"/>.</summary>
    public int Exits { get; } = exits;

    /// <summary>The crash-loop window (restart:crashLoopWindowSeconds).</summary>
    public TimeSpan Window { get; } = window;

    /// <summary>The exits within the window that make a crash loop (restart:crashLoopCount).</summary>
    public int Limit { get; } = limit;

    /// <summary>The last exit: worker, how it ended, its last output and log.</summary>
    public string LastExit { get; } = lastExit;
}
