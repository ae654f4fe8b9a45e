using System.CommandLine;
using Launcher.Exceptions;
using Launcher.Supervise;

namespace Launcher.Cli;

/// <summary>The command line: verbs, options, help with an example each, and the exit-code contract.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var parsed = BuildRoot().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
                ConsoleErrors.Write(error.Message + " (see launcher --help)");
            return ExitCodes.BadUsage;
        }

        // The launcher handles SIGINT/SIGTERM itself (graceful stop with a grace period); no forced exit here.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    /// <summary>Every command with its options, actions and help examples (the help tests walk this tree).</summary>
    internal static RootCommand BuildRoot()
    {
        var config = new Option<string?>("--config", "-c")
        {
            Description = "launcher.json to use (default: ./launcher.json, else the built-in sample config)",
            Recursive = true,
        };
        var json = new Option<bool>("--json") { Description = "machine-readable output" };

        var root = new RootCommand(
            "launcher: exactly N workers, all of them yours, all answering.\n" +
            "Guards the instance, kills stray workers, spawns, verifies and supervises.\n\n" +
            "Exit codes: 0 ok, 2 bad usage or config, 3 another launcher holds the instance,\n" +
            "4 verification failed (or strays with --no-kill), 5 crash loop.");
        root.Options.Add(config);

        var debug = new Option<bool>("--debug") { Description = "one worker, no restarts, worker output on the console, 30 min verification timeout" };
        var noKill = new Option<bool>("--no-kill") { Description = "do not kill stray workers: list them and exit 4 instead" };
        var standby = new Option<bool>("--standby") { Description = "with coordination.kind redis: wait while another host holds the instance and take over when it stops (instead of exit 3)" };
        var replace = new Option<bool>("--replace") { Description = "first stop the running launcher of this instance (only one proven to be it, as `stop` does) and wait for it, then take over (what the IDE configurations use)" };
        // Hidden: the command line of a Windows service (`launcher service install --windows` writes it), not typed by people.
        var windowsService = new Option<string?>(Launcher.Service.WindowsService.ServiceFlag) { Description = "run as this Windows service, under the service control manager", Hidden = true };
        var run = new Command("run", "Start and supervise the workers until Ctrl+C / SIGTERM.") { debug, noKill, standby, replace, windowsService };
        run.SetAction((result, _) => Guarded(() => RunCommand.ExecuteAsync(result.GetValue(config), new RunFlags(result.GetValue(debug), result.GetValue(noKill), result.GetValue(standby), result.GetValue(replace), result.GetValue(windowsService)))));

        var status = new Command("status", "Show the running launcher and each worker: node, pid, uptime, last ping, log file.") { json };
        status.SetAction((result, _) => Guarded(() => Task.FromResult(StatusCommand.Execute(result.GetValue(config), result.GetValue(json)))));

        var expect = new Option<int?>("--expect") { Description = "the number of workers that must answer (default: the config's workers)" };
        expect.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 0)
                result.AddError("--expect must be 0 or more");
        });
        var ping = new Command("ping", "Ping every worker of the instance; exit 0 only when the expected number answer.") { expect, json };
        ping.SetAction((result, _) => Guarded(() => PingCommand.ExecuteAsync(result.GetValue(config), result.GetValue(expect), result.GetValue(json))));

        var stop = new Command("stop", "Stop the running launcher of the instance (and so all its workers), from another terminal.");
        stop.SetAction((result, _) => Guarded(() => StopCommand.ExecuteAsync(result.GetValue(config))));

        var kill = new Option<bool>("--kill") { Description = "kill the strays' whole process trees (SIGTERM, grace, SIGKILL)" };
        var strays = new Command("strays", "List workers of the instance that no running launcher owns; change nothing unless --kill.") { kill, json };
        strays.SetAction((result, _) => Guarded(() => StraysCommand.ExecuteAsync(result.GetValue(config), result.GetValue(kill), result.GetValue(json))));

        var doctor = new Command("doctor", "Check that this machine can give the launcher's guarantees.");
        doctor.SetAction((result, _) => Guarded(() => Task.FromResult(DoctorCommand.Execute(result.GetValue(config)))));

        var service = ServiceCommand.Create(config);
        var logs = LogsCommand.Create(config);
        foreach (var command in new[] { run, status, ping, stop, strays, doctor, service, logs })
            root.Subcommands.Add(command);

        var examples = new Dictionary<Command, string[]>
        {
            [root] = ["launcher run                      # supervise the workers of ./launcher.json", "launcher status                   # from another terminal", "launcher run --config examples/shell/launcher.json"],
            [run] = ["launcher run", "launcher run --debug              # one worker, its output here, no restarts", "launcher run --config examples/shell/launcher.json --no-kill", "launcher run --standby            # coordination.kind redis: wait for the other host", "launcher run --replace            # restart: stop the running launcher of this instance first"],
            [status] = ["launcher status", "launcher status --json | jq '.workers[].pid'"],
            [ping] = ["launcher ping", "launcher ping --expect 2 --json"],
            [stop] = ["launcher stop", "launcher stop --config examples/shell/launcher.json"],
            [strays] = ["launcher strays", "launcher strays --kill"],
            [doctor] = ["launcher doctor"],
            [logs] = LogsCommand.Examples,
        };
        foreach (var (command, lines) in ServiceCommand.Examples(service))
            examples[command] = lines;
        HelpWithExamples.Install(root, examples);
        return root;
    }

    internal static async Task<int> Guarded(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (LauncherException ex)
        {
            ConsoleErrors.Write(ex.Message);
            return ex.ExitCode;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The file system said no (a full disk, a path that became a file): one line, not a stack trace.
            ConsoleErrors.Write($"{ex.Message} (check the paths in the config and LAUNCHER_RUNTIME_DIR, then run `launcher doctor`)");
            return ExitCodes.Failure;
        }
    }
}
