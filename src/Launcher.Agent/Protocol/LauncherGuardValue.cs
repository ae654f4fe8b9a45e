using System.Globalization;

namespace Launcher.Agent.Protocol;

/// <summary>
/// The value of <c>LAUNCHER_GUARD</c>: <c>&lt;instance&gt;:&lt;pid&gt;:&lt;startTicks&gt;</c> of the launcher that started
/// a process. Identity by pid and start ticks, so a recycled pid never passes for the launcher.
/// </summary>
internal sealed record LauncherGuardValue(string Instance, int Pid, ulong StartTicks)
{
    /// <summary>Parses a guard value; null when it is malformed.</summary>
    public static LauncherGuardValue? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;

        var lastColon = value.LastIndexOf(':');
        var middleColon = lastColon > 0 ? value.LastIndexOf(':', lastColon - 1) : -1;
        if (middleColon <= 0)
            return null;

        return int.TryParse(value.AsSpan(middleColon + 1, lastColon - middleColon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && ulong.TryParse(value.AsSpan(lastColon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                ? new LauncherGuardValue(value[..middleColon], pid, ticks)
                : null;
    }

    /// <summary>The guard of the launcher that started this process, if any.</summary>
    public static LauncherGuardValue? FromEnvironment() =>
        Parse(Environment.GetEnvironmentVariable(EnvironmentNames.Guard));

    /// <summary>True while the launcher this value names is still the same live process (a zombie is not).</summary>
    public bool IsAlive => SelfIdentity.IsRunning(Pid, StartTicks);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Instance}:{Pid}:{StartTicks}");
}
