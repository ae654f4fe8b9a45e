using System.CommandLine;

namespace Launcher.Cli;

/// <summary>
/// `launcher service print|install --systemd|--launchd|--windows`: a service definition that runs this
/// launcher. systemd gets Type=notify: READY=1 is sent only after verification.
/// </summary>
internal static class ServiceCommand
{
    public static Command Create(Option<string?> config)
    {
        var systemd = new Option<bool>("--systemd") { Description = "a systemd unit (Type=notify)" };
        var launchd = new Option<bool>("--launchd") { Description = "a launchd plist (planned)" };
        var windows = new Option<bool>("--windows") { Description = "a Windows service (planned)" };
        var service = new Command("service", "Print or install a service definition that runs `launcher run`.");

        var print = new Command("print", "Print the service definition.") { systemd, launchd, windows };
        print.SetAction(result => Print(result.GetValue(config), result.GetValue(systemd), result.GetValue(launchd), result.GetValue(windows)));
        var install = new Command("install", "Install the service definition (systemd: /etc/systemd/system/launcher-<instance>.service).") { systemd, launchd, windows };
        install.SetAction(result => Install(result.GetValue(config), result.GetValue(systemd)));
        service.Subcommands.Add(print);
        service.Subcommands.Add(install);
        return service;
    }

    /// <summary>The `--help` examples of `service` and its subcommands.</summary>
    public static IEnumerable<(Command Command, string[] Lines)> Examples(Command service)
    {
        string[] print = ["launcher service print --systemd > /etc/systemd/system/workers.service"];
        string[] install = ["sudo launcher service install --systemd --config /srv/app/launcher.json"];
        yield return (service, [.. print, .. install]);
        foreach (var sub in service.Subcommands)
            yield return (sub, sub.Name == "print" ? print : install);
    }

    private static int Print(string? configPath, bool systemd, bool launchd, bool windows)
    {
        if (!systemd)
        {
            ConsoleErrors.Write(launchd || windows
                ? "only --systemd is implemented so far; launchd and Windows services are planned (docs/ARCHITECTURE.md)"
                : "choose a service manager: --systemd, --launchd or --windows");
            return ExitCodes.BadUsage;
        }

        Console.Write(SystemdUnit(configPath, out _));
        return ExitCodes.Ok;
    }

    private static int Install(string? configPath, bool systemd)
    {
        if (!systemd)
        {
            ConsoleErrors.Write("only --systemd is implemented so far");
            return ExitCodes.BadUsage;
        }

        var unit = SystemdUnit(configPath, out var instance);
        var path = $"/etc/systemd/system/launcher-{instance}.service";
        File.WriteAllText(path, unit);
        Console.WriteLine($"wrote {path}; now: systemctl daemon-reload && systemctl enable --now launcher-{instance}");
        return ExitCodes.Ok;
    }

    private static string SystemdUnit(string? configPath, out string instance)
    {
        var view = InstanceView.Open(configPath);
        instance = view.Spec.Instance;
        var config = view.Spec.SourceDescription.StartsWith('/') ? view.Spec.SourceDescription : null;
        return $"""
            [Unit]
            Description=launcher: workers of instance {instance}
            After=network-online.target

            [Service]
            Type=notify
            NotifyAccess=main
            WorkingDirectory={view.Spec.BaseDirectory}
            ExecStart={Environment.ProcessPath} run{(config is null ? "" : $" --config {config}")}
            ExecReload=/bin/kill -HUP $MAINPID
            KillMode=mixed
            TimeoutStopSec={(int)view.Spec.StopGrace.TotalSeconds + 30}
            Restart=on-failure
            RestartPreventExitStatus=2 3

            [Install]
            WantedBy=multi-user.target

            """;
    }
}
