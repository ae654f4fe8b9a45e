using System.Diagnostics;

namespace SampleWorker.Modes;

/// <summary>Starts descendants the launcher has to find when it kills this worker's tree.</summary>
internal static class Grandchildren
{
    /// <summary>A plain child: stays under this worker, found by parent links.</summary>
    public static int StartChild() => Start("sleep", ["100000"]);

    /// <summary>
    /// <c>setsid -f</c> forks, the fork calls setsid and execs sleep, and setsid itself exits: the sleep
    /// leaves this worker's tree and session and is found only through the inherited LAUNCHER_INSTANCE marker.
    /// </summary>
    public static int StartDetached() => Start("setsid", ["-f", "sleep", "100001"]);

    private static int Start(string file, string[] arguments)
    {
        var startInfo = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {file}");
        return process.Id;
    }
}
