using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests.WindowsTier;

/// <summary>
/// Issue 15, item 1 on Windows: <c>onWorkerExit</c> hooks and <c>ping.command</c> as contained child processes (a job
/// object of their own, no exec shim), the control channel on a named pipe (<c>launcher status</c>, <c>ping</c>,
/// <c>stop</c> answered by the running launcher), and the stray rule "pattern + executable". One launcher run carries
/// all of it, because every run under Wine costs seconds: hand-started strays, then a crash, then a worker whose ping
/// command fails, then <c>launcher status</c> and <c>launcher stop</c>. The crash's hook also leaves a process behind,
/// which its own job ends. The hook and ping commands are batch files run by <c>cmd.exe</c>, as a
/// Windows user would write them.
/// </summary>
[TestFixture]
[Category(WindowsBuild.Category)]
[NonParallelizable]
public sealed class WindowsHookTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    // The hook writes the variables it got to hook-<pid>-<reason>.env, one line each, appending (a second run shows).
    // After a crash it also leaves a process behind (SampleWorker.exe, %2, without the instance marker), which the
    // hook's own job must end once the hook has exited.
    private const string HookScript = """
        @echo off
        if "%LAUNCHER_EXIT_REASON%"=="crashed" (
          set LAUNCHER_INSTANCE=
          start "" /b "%~2" --tick-seconds 60
          set LAUNCHER_INSTANCE=%LAUNCHER_INSTANCE%
        )
        set "out=%~dp0hook-%LAUNCHER_WORKER_PID%-%LAUNCHER_EXIT_REASON%.env"
        >>"%out%" echo LAUNCHER_INSTANCE=%LAUNCHER_INSTANCE%
        >>"%out%" echo LAUNCHER_NODE=%LAUNCHER_NODE%
        >>"%out%" echo LAUNCHER_WORKER_PID=%LAUNCHER_WORKER_PID%
        >>"%out%" echo LAUNCHER_WORKER_INDEX=%LAUNCHER_WORKER_INDEX%
        >>"%out%" echo LAUNCHER_EXIT_CODE=%LAUNCHER_EXIT_CODE%
        >>"%out%" echo LAUNCHER_EXIT_SIGNAL=%LAUNCHER_EXIT_SIGNAL%
        >>"%out%" echo LAUNCHER_EXIT_REASON=%LAUNCHER_EXIT_REASON%
        >>"%out%" echo LAUNCHER_ROLE=%LAUNCHER_ROLE%
        >>"%out%" echo ARGUMENT=%1
        echo hook saw %LAUNCHER_EXIT_REASON%
        exit /b 0
        """;

    // Answers for worker {pid} by printing its {node}, until silent-<pid> exists: then it fails, as a broker would.
    private const string PingScript = """
        @echo off
        if exist "%~dp0silent-%1" exit /b 1
        echo %2
        exit /b 0
        """;

    [SetUp]
    public void RequireWindowsBuild() => WindowsBuild.RequireOrIgnore();

    [Test, CancelAfter(300_000)]
    public async Task Strays_by_pattern_die_only_when_they_run_the_program_a_crash_gets_one_hook_a_silent_worker_is_replaced_and_launcher_stop_exits_0(
        CancellationToken cancellationToken)
    {
        // Arrange: the scripts, two hand-started processes whose command lines match strays.match (one runs the
        // configured SampleWorker.exe, one is cmd.exe), and a config whose worker crashes once.
        var clock = Stopwatch.StartNew();
        await using var sandbox = new Sandbox();
        var dir = sandbox.Dir;
        WriteBatch(Path.Combine(dir, "on-exit.cmd"), HookScript);
        WriteBatch(Path.Combine(dir, "ping-worker.cmd"), PingScript);
        var tag = sandbox.Instance + "-by-hand";
        var tagPath = WindowsBuild.WindowsPath(Path.Combine(dir, tag)); // never created: the stray behaves
        using var programStray = WindowsBuild.Start(sandbox, WindowsBuild.SampleWorkerExe, ["--tick-seconds", "1", "--only-if-exists", tagPath],
            new Dictionary<string, string>());
        using var otherProgram = WindowsBuild.Start(sandbox, "cmd.exe", ["/k", "rem", tagPath], new Dictionary<string, string>());
        await Eventually.TrueAsync(() => programStray.Stdout.Any(line => line.Contains("Ready.", StringComparison.Ordinal)) || programStray.Process.HasExited,
            Deadline, "the hand-started SampleWorker is up", cancellationToken);
        Assert.That(programStray.Process.HasExited, Is.False, programStray.Output);
        var cmd = 0;
        await Eventually.TrueAsync(() => (cmd = CmdPid(otherProgram, tag)) > 0 || otherProgram.Process.HasExited,
            Deadline, "the hand-started cmd.exe is up", cancellationToken);
        Assert.That(cmd, Is.Positive, "cmd /k waits on its (open) stdin: " + otherProgram.Output);
        sandbox.Processes.Track(cmd);

        var config = sandbox.WriteConfig(new JsonObject
        {
            ["instance"] = sandbox.Instance,
            ["command"] = new JsonArray(WindowsBuild.WindowsPath(WindowsBuild.SampleWorkerExe), "--tick-seconds", "1",
                "--crash-after", "4", "--exit-code", "7", "--only-once", WindowsBuild.WindowsPath(Path.Combine(dir, "crashed-once"))),
            ["workers"] = 1,
            ["logDir"] = "logs",
            ["startTimeoutSeconds"] = 120,
            ["stopGraceSeconds"] = 3, // also how long the pattern stray, which has no stop channel, gets before TerminateProcess
            // cmd is found on PATH as cmd.exe; .\ping-worker.cmd is relative to the config file.
            ["ping"] = new JsonObject
            {
                ["command"] = new JsonArray("cmd", "/c", @".\ping-worker.cmd", "{pid}", "{node}"),
                ["intervalSeconds"] = 1,
                ["timeoutSeconds"] = 20,
                ["missedLimit"] = 2,
            },
            ["restart"] = new JsonObject { ["initialDelaySeconds"] = 0.1 },
            ["onWorkerExit"] = new JsonObject
            {
                ["command"] = new JsonArray(@".\on-exit.cmd", "{pid}", WindowsBuild.WindowsPath(WindowsBuild.SampleWorkerExe)),
                ["timeoutSeconds"] = 30,
            },
            ["strays"] = new JsonObject { ["match"] = new JsonArray(tag) },
        });
        var configArg = WindowsBuild.WindowsPath(config);

        // Act 1: the run starts (the sweep meets the two hand-started processes), and its first worker crashes.
        using var launcher = WindowsBuild.StartLauncher(sandbox, "run", "--config", configArg);
        await Eventually.TrueAsync(() => launcher.ReadyLine is not null || launcher.Process.HasExited, Deadline, "the ready line", cancellationToken);
        Assert.That(launcher.ReadyLine, Does.StartWith("ready: 1/1 workers verified"), launcher.Output);
        var crashHook = await HookFileAsync(dir, "crashed", launcher, cancellationToken);
        var crashed = PidOf(crashHook);

        // Assert 1: pattern + configured program is a stray, pattern alone is not; the crash ran the hook with its facts.
        await Eventually.TrueAsync(() => programStray.Process.HasExited, TimeSpan.FromSeconds(30), "the SampleWorker matching strays.match was stopped", cancellationToken);
        var crashEnv = ReadEnv(crashHook);
        Assert.Multiple(() =>
        {
            Assert.That(IsRunning(cmd), Is.True, "cmd.exe matches strays.match but is not the configured program: it must live");
            Assert.That(crashEnv["LAUNCHER_EXIT_REASON"], Is.EqualTo(new[] { "crashed" }), "the hook ran exactly once for the crash");
            Assert.That(crashEnv["LAUNCHER_EXIT_CODE"], Is.EqualTo(new[] { "7" }));
            Assert.That(crashEnv["LAUNCHER_EXIT_SIGNAL"], Is.EqualTo(new[] { "" }));
            Assert.That(crashEnv["LAUNCHER_INSTANCE"], Is.EqualTo(new[] { sandbox.Instance }));
            Assert.That(crashEnv["LAUNCHER_NODE"].Single(), Does.StartWith($"api{crashed}@"));
            Assert.That(crashEnv["LAUNCHER_WORKER_INDEX"], Is.EqualTo(new[] { "0" }));
            Assert.That(crashEnv["LAUNCHER_ROLE"], Is.EqualTo(new[] { "hook" }));
            Assert.That(crashEnv["ARGUMENT"], Is.EqualTo(new[] { $"{crashed}" }), "{pid} in the hook's argv is the worker's pid");
            Assert.That(File.ReadAllText(Path.Combine(sandbox.LogDir, $"worker_{crashed}.log")), Does.Contain("crashing with exit code 7"));
        });
        // What the crash hook left running (its start /b SampleWorker.exe) is ended with the hook's job.
        await Eventually.TrueAsync(() => Regex.IsMatch(launcher.Output, @"on-exit\.cmd \(pid \d+\) exited with 0; killed [1-9]\d* process\(es\) it left behind"),
            Deadline, "the hook's leftover was killed", cancellationToken);

        // Act 2: the replacement answers (asked over the control pipe), then its ping command starts failing.
        var replacement = await AnsweringWorkerAsync(sandbox, configArg, crashed, cancellationToken);
        File.WriteAllText(Path.Combine(dir, $"silent-{replacement}"), "");
        var hungHook = await HookFileAsync(dir, "hung", launcher, cancellationToken);
        var third = await AnsweringWorkerAsync(sandbox, configArg, replacement, cancellationToken);

        // Act 3: launcher status, then launcher stop, over the control pipe.
        var status = TryParse((await RunCliAsync(sandbox, cancellationToken, "status", "--config", configArg, "--json")).Stdout);
        var stop = await RunCliAsync(sandbox, cancellationToken, "stop", "--config", configArg);
        await launcher.Process.WaitForExitAsync(cancellationToken).WaitAsync(Deadline, cancellationToken);

        // Assert 2
        var hungEnv = ReadEnv(hungHook);
        var stopHook = Path.Combine(dir, $"hook-{third}-stopped.env");
        Assert.Multiple(() =>
        {
            Assert.That(status?["source"]?.GetValue<string>(), Is.EqualTo("launcher"), "status answered by the running launcher");
            Assert.That(status?["workers"]?.AsArray().Select(w => w?["pid"]?.GetValue<int>()), Is.EqualTo(new int?[] { third }));
            Assert.That(status?["workers"]?[0]?["restarts"]?.GetValue<int>(), Is.GreaterThanOrEqualTo(1), "the slot was restarted");
            Assert.That(PidOf(hungHook), Is.EqualTo(replacement), "the worker whose ping command failed was taken for hung");
            Assert.That(hungEnv["LAUNCHER_EXIT_REASON"], Is.EqualTo(new[] { "hung" }));
            Assert.That(launcher.Output, Does.Contain($"api{replacement}@").And.Contain("missed ping"));
            Assert.That(stop.ExitCode, Is.EqualTo(0), stop.Output);
            Assert.That(stop.Output, Does.Contain($"stopping launcher pid").And.Contain("stopped"));
            Assert.That(launcher.Process.ExitCode, Is.EqualTo(0), launcher.Output);
            Assert.That(launcher.Output, Does.Contain("Stop requested over the control socket"), "stop came over the control channel, not a signal");
            Assert.That(File.Exists(stopHook) ? ReadEnv(stopHook)["LAUNCHER_EXIT_REASON"] : [], Is.EqualTo(new[] { "stopped" }), "the stopped worker's hook ran once");
            Assert.That(Directory.GetFiles(dir, "hook-*.env").Select(Path.GetFileName), Is.EquivalentTo(new[]
            {
                $"hook-{crashed}-crashed.env", $"hook-{replacement}-hung.env", $"hook-{third}-stopped.env",
            }), "one hook run per ended worker");
            Assert.That(launcher.Output, Does.Contain("] hook saw crashed"), "the hook's output is in the launcher log");
            Assert.That(WindowsBuild.LiveSampleWorkers(sandbox), Is.Empty, "no worker survives the stop");
            Assert.That(IsRunning(cmd), Is.True, "the cmd.exe matching the pattern outlives the run too");
        });
        TestContext.Out.WriteLine($"windows-tier: hooks, ping command, stop and pattern strays in one run: {clock.Elapsed.TotalSeconds:F1} s");
    }

    // The one worker that answers now, other than `previous`: `launcher ping --json`, which the running launcher answers.
    private static async Task<int> AnsweringWorkerAsync(Sandbox sandbox, string configArg, int previous, CancellationToken cancellationToken)
    {
        var found = 0;
        var last = "";
        await Eventually.TrueAsync(async () =>
        {
            var ping = await RunCliAsync(sandbox, cancellationToken, "ping", "--config", configArg, "--json");
            last = ping.Output;
            var json = TryParse(ping.Stdout);
            var workers = json?["workers"]?.AsArray() ?? [];
            if (json?["source"]?.GetValue<string>() != "launcher" || json["ok"]?.GetValue<bool>() != true || workers.Count != 1)
                return false;
            found = workers[0]!["pid"]!.GetValue<int>();
            return found != previous;
        }, Deadline, $"a worker other than pid {previous} answers, said by the launcher itself", cancellationToken);
        TestContext.Out.WriteLine($"answering: pid {found} ({last.Length} chars of ping output)");
        return found;
    }

    private static async Task<string> HookFileAsync(string dir, string reason, WindowsProcess launcher, CancellationToken cancellationToken)
    {
        string[] files = [];
        await Eventually.TrueAsync(() => (files = Directory.GetFiles(dir, $"hook-*-{reason}.env")).Length > 0
                && File.ReadAllText(files[0]).Contains("ARGUMENT=", StringComparison.Ordinal) || launcher.Process.HasExited,
            Deadline, $"an onWorkerExit run for reason {reason}", cancellationToken);
        Assert.That(files, Has.Length.EqualTo(1), launcher.Output);
        return files[0];
    }

    private static int PidOf(string hookFile) =>
        int.Parse(Path.GetFileName(hookFile).Split('-')[1], CultureInfo.InvariantCulture);

    // Every value each variable got, in order: a hook that ran twice shows two.
    private static Dictionary<string, List<string>> ReadEnv(string path)
    {
        var env = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                continue;
            var name = line[..equals];
            if (!env.TryGetValue(name, out var values))
                env[name] = values = [];
            values.Add(line[(equals + 1)..].TrimEnd());
        }

        return env;
    }

    private static async Task<(int ExitCode, string Stdout, string Output)> RunCliAsync(Sandbox sandbox, CancellationToken cancellationToken, params string[] arguments)
    {
        using var cli = WindowsBuild.StartLauncher(sandbox, arguments);
        await cli.Process.WaitForExitAsync(cancellationToken).WaitAsync(Deadline, cancellationToken);
        cli.Process.WaitForExit(); // the last output lines
        return (cli.Process.ExitCode, string.Join('\n', cli.Stdout), cli.Output);
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    // Wine runs its built-in cmd.exe as a process of its own (`wine cmd.exe` becomes `start.exe /exec cmd.exe`), shown
    // with its Windows command line as its Linux argv; on Windows the started process is cmd.exe itself.
    private static int CmdPid(WindowsProcess started, string tag)
    {
        if (WindowsBuild.Wine is null)
            return started.Process.HasExited ? 0 : started.Process.Id;
        return ProcessProbe.AllPids().FirstOrDefault(pid => ProcessProbe.CommandLine(pid) is { } line
            && line.Contains(@"\cmd.exe /k rem ", StringComparison.OrdinalIgnoreCase) && line.Contains(tag, StringComparison.Ordinal));
    }

    private static bool IsRunning(int pid) => WindowsBuild.Wine is null
        ? Process.GetProcesses().Any(p => p.Id == pid)
        : ProcessProbe.IsAlive(pid);

    private static void WriteBatch(string path, string text) =>
        File.WriteAllText(path, text.ReplaceLineEndings("\r\n") + "\r\n");
}
