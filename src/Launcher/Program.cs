using Launcher.Cli;
using Launcher.Platform;
using Launcher.Spawn;

// Hidden verbs first and cheaply. They normally run in the companion binary beside this one (SelfInvocation); these
// are the fallback when it is missing. The shims exist on Linux only (Windows starts programs directly).
if (args.Length > 0 && OperatingSystem.IsLinux())
{
    if (args[0] == ExecShim.Verb)
        return ExecShim.Run(args);
    if (args[0] == ContainedExec.Verb)
        return ContainedExec.Run(args);
}
else if (args.Length > 0 && args[0] is HelperVerbs.Exec or HelperVerbs.Contained)
{
    Console.Error.WriteLine($"launcher {args[0]}: internal verb of the Linux exec shims; Windows starts programs directly");
    return 127;
}

if (args.Length > 0 && args[0] == Watchdog.Verb)
    return Watchdog.Run(args, PlatformServices.ForCurrentOs());

// `status` and `ping` without the command tree (EarlyCommandLine says which command lines qualify).
if (EarlyCommandLine.TryParse(args) is { } command)
    return await EarlyCommandLine.RunAsync(command);

return await CliApp.RunAsync(args);
