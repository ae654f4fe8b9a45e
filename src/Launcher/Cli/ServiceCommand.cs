using System.CommandLine;
using Launcher.Config;
using Launcher.Service;

namespace Launcher.Cli;

/// <summary>
/// `launcher service print|install`: a service definition that runs `launcher run` for the config. systemd gets
/// Type=notify (READY=1 only after verification); launchd a plist; Windows the sc.exe commands, whose service reports
/// RUNNING only after verification. systemd units and Windows services are installed; plists are printed.
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
            "launcher service install --windows --config C:\\srv\\app\\launcher.json   # elevated prompt; then sc.exe start launcher-app",
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
        var systemd = new Option<bool>("--systemd") { Description = "install a systemd unit" };
        var windows = new Option<bool>("--windows") { Description = "create the Windows service launcher-<instance> (start= auto), as `service print --windows` shows; needs an elevated prompt" };
        var user = new Option<bool>("--user") { Description = "systemd: for the user's manager: ~/.config/systemd/user instead of /etc/systemd/system" };
        var unitDir = new Option<string?>("--unit-dir") { Description = "systemd: write the unit into this directory instead" };
        var force = new Option<bool>("--force") { Description = "replace a different unit file, or a service of the same name with another command line" };
        // Accepted so that asking for it gets the answer below, not "unrecognized argument".
        var launchd = new Option<bool>("--launchd") { Description = "not installed: `launcher service print --launchd` prints the plist" };
        var install = new Command("install", "Install the service: the systemd unit launcher-<instance>.service, or the Windows service launcher-<instance>.")
            { systemd, windows, user, unitDir, force, launchd };
        install.SetAction((result, _) => CliApp.Guarded(() =>
        {
            var problem = result.GetValue(systemd) == result.GetValue(windows) ? "choose --systemd or --windows (launchd plists are printed: `launcher service print --launchd`)"
                : result.GetValue(windows) && (result.GetValue(user) || result.GetValue(unitDir) is not null) ? "--user and --unit-dir are for --systemd"
                : result.GetValue(unitDir) is { Length: 0 } ? "--unit-dir needs a directory"
                : null;
            if (problem is not null)
                return Task.FromResult(BadUsage(problem));
            var target = Target(result.GetValue(config));
            return Task.FromResult(result.GetValue(windows)
                ? InstallWindows(target, result.GetValue(force))
                : Install(target, result.GetValue(user), result.GetValue(unitDir), result.GetValue(force)));
        }));
        return install;
    }

    private static int InstallWindows(ServiceTarget target, bool force)
    {
        if (!OperatingSystem.IsWindows())
        {
            ConsoleErrors.Write("service install --windows creates the service on Windows itself; here `launcher service print --windows` prints the sc.exe commands");
            return ExitCodes.BadUsage;
        }

        var name = target.ServiceName;
        var outcome = WindowsServiceInstaller.Install(target, force, out var note);
        if (note is not null)
            ConsoleErrors.Write("note: " + note);
        switch (outcome)
        {
            case InstallOutcome.Different:
                ConsoleErrors.Write($"service {name} exists with another command line or environment; compare `sc.exe qc {name}` with `launcher service print --windows`, then pass --force to replace it");
                return ExitCodes.BadUsage;
            case InstallOutcome.Unchanged:
                Console.Out.WriteLine($"service {name} is already this service");
                break;
            default:
                Console.Out.WriteLine($"installed service {name}: {WindowsService.BinPath(target)}");
                break;
        }

        Console.Out.WriteLine($"next: sc.exe start {name}   (remove with: sc.exe stop {name} and sc.exe delete {name})");
        return ExitCodes.Ok;
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
