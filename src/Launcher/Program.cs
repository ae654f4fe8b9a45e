using Launcher.Cli;
using Launcher.Platform;
using Launcher.Spawn;

// Hidden verbs first and cheaply: the exec shim runs in every new worker, before its real program.
if (args.Length > 0 && args[0] == ExecShim.Verb)
    return ExecShim.Run(args, PlatformServices.ForCurrentOs());
if (args.Length > 0 && args[0] == ContainedExec.Verb)
    return ContainedExec.Run(args, PlatformServices.ForCurrentOs());
if (args.Length > 0 && args[0] == Watchdog.Verb)
    return Watchdog.Run(args, PlatformServices.ForCurrentOs());

return await CliApp.RunAsync(args);
