using System.Runtime.Versioning;

namespace Launcher.Platform.Windows;

/// <summary>
/// Windows cannot replace a process's program keeping its pid (there is no exec), so the launcher starts workers
/// directly and puts them in its job (<see cref="WorkerJob"/>); nothing calls this there.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsProgramImage : IProgramImage
{
    public string Replace(IReadOnlyList<string> argv, IReadOnlyList<string> environment) =>
        "Windows has no exec: a program cannot take over this process";
}
