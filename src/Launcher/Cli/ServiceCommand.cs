using System.CommandLine;
using Launcher.Config;
using Launcher.Service;

namespace Launcher.Cli;

/// <summary>
/// `launcher service print|install`: a service definition that runs `launcher run` for the config. systemd gets
/// Type=notify (READY=1 only after verification); launchd a plist; Windows the sc.exe commands. Only systemd units
/// are installed; the others are printed for the user to put in place.
/// </summary>
internal static class ServiceCommand
{
    public static Command Create(Option<string?> config)
    {
        var service = new Command("service", "Print or install a service definition that runs `launcher run` for the config.");
        service.Subcommands.Add(CreatePrint(config));
        service.Subcommands.Add(CreateInstall(config));
        return service;
    }

    /// <summary>The `--help` examples of `service` and its subcommands.</summary>
    public static IEnumerable<(Command Command, string[] Lines)> Examples(Command service)
    {
        string[] print =
        [
            "launcher service print --systemd --config /srv/app/launcher.json",
            "launcher service print --launchd > ~/Library/LaunchAgents/launcher.app.plist",
            "launcher service print --windows > install-service.cmd",
        ];
        string[] install =
        [
            "sudo launcher service install --systemd --config /srv/app/launcher.json",
            "launcher service install --systemd --user        # ~/.config/systemd/user",
        ];
        yield return (service, [.. print, .. install]);
        foreach (var sub in service.Subcommands)
            yield return (sub, sub.Name == "print" ? print : install);
    }

    private static Command CreatePrint(Option<string?> config)
    {
        var systemd = new Option<bool>("--systemd") { Description = "a systemd unit (Type=notify)" };
        var launchd = new Option<bool>("--launchd") { Description = "a launchd plist (KeepAlive, log paths, working directory)" };
        var windows = new Option<bool>("--windows") { Description = "the sc.exe commands that create a Windows service, and what it needs" };
        var user = new Option<bool>("--user") { Description = "systemd: a unit for the user's manager (systemctl --user)" };
        var print = new Command("print", "Print the service definition on stdout.") { systemd, launchd, windows, user };
        print.SetAction((result, _) => CliApp.Guarded(() =>
        {
            // Checked here, not as a parse validator: `service print --help` must show the help, not this error.
            var chosen = new[] { systemd, launchd, windows }.Count(option => result.GetValue(option));
            var problem = chosen != 1 ? "choose one service manager: --systemd, --launchd or --windows"
                : result.GetValue(user) && !result.GetValue(systemd) ? "--user is for --systemd"
                : null;
            if (problem is not null)
                return Task.FromResult(BadUsage(problem));

            var target = Target(result.GetValue(config));
            Console.Out.Write(
                result.GetValue(systemd) ? SystemdUnit.Render(target, result.GetValue(user))
                : result.GetValue(launchd) ? LaunchdPlist.Render(target)
                : WindowsService.Render(target));
            return Task.FromResult(ExitCodes.Ok);
        }));
        return print;
    }

    private static Command CreateInstall(Option<string?> config)
    {
        var systemd = new Option<bool>("--systemd") { Description = "install a systemd unit (the only kind installed; print the others)" };
        var user = new Option<bool>("--user") { Description = "for the user's manager: ~/.config/systemd/user instead of /etc/systemd/system" };
        var unitDir = new Option<string?>("--unit-dir") { Description = "write the unit into this directory instead" };
        var force = new Option<bool>("--force") { Description = "replace a different unit file of the same name" };
        // Accepted so that asking for them gets the answer below, not "unrecognized argument".
        var launchd = new Option<bool>("--launchd") { Description = "not installed: `launcher service print --launchd` prints the plist" };
        var windows = new Option<bool>("--windows") { Description = "not installed: `launcher service print --windows` prints the sc.exe commands" };
        var install = new Command("install", "Write the systemd unit launcher-<instance>.service where systemd reads it.") { systemd, user, unitDir, force, launchd, windows };
        install.SetAction((result, _) => CliApp.Guarded(() => Task.FromResult(
            !result.GetValue(systemd) ? BadUsage("only --systemd units are installed; use `launcher service print --launchd|--windows` for the others")
            : result.GetValue(unitDir) is { Length: 0 } ? BadUsage("--unit-dir needs a directory")
            : Install(Target(result.GetValue(config)), result.GetValue(user), result.GetValue(unitDir), result.GetValue(force)))));
        return install;
    }

    private static int Install(ServiceTarget target, bool user, string? unitDir, bool force)
    {
        var path = Path.Combine(Path.GetFullPath(unitDir ?? SystemdInstaller.DefaultUnitDirectory(user)), target.ServiceName + ".service");
        var systemctl = user ? "systemctl --user" : "systemctl";
        switch (SystemdInstaller.Install(path, SystemdUnit.Render(target, user), force))
        {
            case InstallOutcome.Different:
                ConsoleErrors.Write($"{path} exists and differs from this unit; compare with `launcher service print --systemd{(user ? " --user" : "")} | diff {path} -`, then pass --force to replace it");
                return ExitCodes.BadUsage;
            case InstallOutcome.Unchanged:
                Console.Out.WriteLine($"{path} is already this unit");
                break;
            default:
                Console.Out.WriteLine($"wrote {path}");
                break;
        }

        Console.Out.WriteLine($"next: {systemctl} daemon-reload && {systemctl} enable --now {target.ServiceName}");
        if (user)
            Console.Out.WriteLine("(to keep it running while you are logged out: loginctl enable-linger $USER)");
        return ExitCodes.Ok;
    }

    private static int BadUsage(string problem)
    {
        ConsoleErrors.Write(problem + " (see launcher service --help)");
        return ExitCodes.BadUsage;
    }

    private static ServiceTarget Target(string? configPath)
    {
        // The light load, and no platform services: a plist or sc.exe script can be written on any OS.
        var spec = ConfigLoader.LoadForReading(configPath);
        var launcher = Environment.ProcessPath ?? throw new InvalidOperationException("the launcher's own path is unknown");
        return ServiceTarget.For(spec, launcher);
    }
}
