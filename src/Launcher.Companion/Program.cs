using Launcher.Companion;
using Launcher.Spawn;

// launcher-companion: the launcher's helpers without the launcher's start-up and resident size (issue 12). The
// launcher starts it; it is not meant to be run by hand.
if (!OperatingSystem.IsLinux())
{
    Console.Error.WriteLine("launcher-companion: Linux only");
    return 2;
}

switch (args.Length > 0 ? args[0] : "")
{
    case HelperVerbs.Exec:
        return ExecShim.Run(args);
    case HelperVerbs.Contained:
        return ContainedExec.Run(args);
    case HelperVerbs.Watchdog:
        return CompanionWatchdog.Run(args);
    default:
        Console.Error.WriteLine(
            $"launcher-companion: the launcher's helper ({HelperVerbs.Exec}, {HelperVerbs.Contained}, {HelperVerbs.Watchdog}); the launcher starts it, run `launcher --help` instead");
        return 2;
}
