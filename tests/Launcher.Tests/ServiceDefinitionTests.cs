using System.Text.RegularExpressions;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// `launcher service print|install` (issue 13, items 1 and 2): each definition matches its golden file (paths, the
/// instance and the launcher's location normalised), the plist parses with python3's plistlib, every systemd unit
/// passes `systemd-analyze verify`, and `install` writes where it is told, never over a different file unless forced.
/// The golden files are tests/Launcher.Tests/Golden/service-*.txt; LAUNCHER_UPDATE_GOLDEN=1 rewrites them.
/// </summary>
[TestFixture]
public sealed class ServiceDefinitionTests
{
    private const string SystemdAnalyze = "/usr/bin/systemd-analyze";
    private const string Python = "/usr/bin/python3";

    [TestCase("--systemd", "service-systemd.txt")]
    [TestCase("--systemd --user", "service-systemd-user.txt")]
    [TestCase("--launchd", "service-launchd.txt")]
    [TestCase("--windows", "service-windows.txt")]
    [CancelAfter(30_000)]
    public async Task Service_print_writes_the_golden_definition(string flags, string golden, CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var config = (LauncherConfig.SampleWorkers(2) with { StopGraceSeconds = 5 }).WriteTo(sandbox);

        // Act
        var result = await LauncherCli.RunAsync(sandbox, ["service", "print", .. flags.Split(' '), "--config", config], cancellationToken: cancellationToken);

        // Assert
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        AssertGolden(golden, Normalise(result.Stdout, sandbox));
    }

    [Test, CancelAfter(30_000)]
    public async Task The_launchd_plist_parses_with_plistlib_and_names_the_program_logs_and_directory(CancellationToken cancellationToken)
    {
        // Arrange
        if (!File.Exists(Python))
            Assert.Ignore($"{Python} is not installed: the plist is not parsed");
        await using var sandbox = new Sandbox();
        var config = (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        var print = await LauncherCli.RunAsync(sandbox, ["service", "print", "--launchd", "--config", config], cancellationToken: cancellationToken);
        var plist = Path.Combine(sandbox.Dir, "launcher.plist");
        await File.WriteAllTextAsync(plist, print.Stdout, cancellationToken);

        // Act: plistlib is a real parser (expat underneath); print the fields back one per line.
        var parsed = await SpineFacts.RunProgramAsync(sandbox, Python,
        [
            "-c",
            "import plistlib,sys; p=plistlib.load(open(sys.argv[1],'rb')); " +
            "print('\\n'.join([p['Label'], '|'.join(p['ProgramArguments']), p['WorkingDirectory'], repr(p['KeepAlive']), " +
            "p['StandardOutPath'], p['StandardErrorPath'], p['EnvironmentVariables']['LAUNCHER_RUNTIME_DIR'], str(p['ExitTimeOut'])]))",
            plist,
        ], cancellationToken);

        // Assert
        Assert.That(parsed.ExitCode, Is.EqualTo(0), parsed.ToString());
        Assert.That(parsed.Stdout.Split('\n'), Is.EqualTo(new[]
        {
            "launcher." + sandbox.Instance,
            $"{Repo.LauncherExe}|run|--config|{config}",
            sandbox.Dir,
            "{'SuccessfulExit': False}",
            Path.Combine(sandbox.LogDir, "launchd.stdout.log"),
            Path.Combine(sandbox.LogDir, "launchd.stderr.log"),
            sandbox.RuntimeDir,
            "35",
        }), print.Stdout);
    }

    [TestCase(false)]
    [TestCase(true)]
    [CancelAfter(60_000)]
    public async Task Every_generated_systemd_unit_passes_systemd_analyze_verify(bool user, CancellationToken cancellationToken)
    {
        // Arrange
        if (!File.Exists(SystemdAnalyze))
            Assert.Ignore($"{SystemdAnalyze} is not installed (Debian: the systemd package): the unit is not verified");
        await using var sandbox = new Sandbox();
        var config = (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        var unitDir = Path.Combine(sandbox.Dir, "units");
        string[] userFlag = user ? ["--user"] : [];
        var install = await LauncherCli.RunAsync(sandbox, ["service", "install", "--systemd", .. userFlag, "--unit-dir", unitDir, "--config", config], cancellationToken: cancellationToken);
        var unit = Path.Combine(unitDir, $"launcher-{sandbox.Instance}.service");

        // Act: --user needs a runtime directory for its (offline) manager; no running systemd is needed.
        await using var verify = LauncherProcess.StartProgram(sandbox, SystemdAnalyze, ["verify", .. userFlag, unit],
            environment: new Dictionary<string, string?> { ["XDG_RUNTIME_DIR"] = sandbox.Dir, ["SYSTEMD_LOG_LEVEL"] = "notice" });
        var exitCode = await verify.WaitForExitAsync(TimeSpan.FromSeconds(30), cancellationToken);

        // Assert: warnings about the unit name its file; other units' noise on this machine does not count.
        Assert.Multiple(() =>
        {
            Assert.That(install.ExitCode, Is.EqualTo(0), install.ToString());
            Assert.That(exitCode, Is.EqualTo(0), verify.Output);
            Assert.That(verify.Output, Does.Not.Contain("launcher-" + sandbox.Instance), "systemd-analyze has nothing to say about the unit");
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task Service_install_writes_the_unit_and_never_replaces_a_different_one_without_force(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var config = (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        var unitDir = Path.Combine(sandbox.Dir, "units");
        var unit = Path.Combine(unitDir, $"launcher-{sandbox.Instance}.service");
        string[] install = ["service", "install", "--systemd", "--unit-dir", unitDir, "--config", config];
        var printed = await LauncherCli.RunAsync(sandbox, ["service", "print", "--systemd", "--config", config], cancellationToken: cancellationToken);

        // Act
        var first = await LauncherCli.RunAsync(sandbox, install, cancellationToken: cancellationToken);
        var written = await File.ReadAllTextAsync(unit, cancellationToken);
        var again = await LauncherCli.RunAsync(sandbox, install, cancellationToken: cancellationToken);
        await File.WriteAllTextAsync(unit, "[Unit]\nDescription=edited by hand\n", cancellationToken);
        var refused = await LauncherCli.RunAsync(sandbox, install, cancellationToken: cancellationToken);
        var afterRefusal = await File.ReadAllTextAsync(unit, cancellationToken);
        var forced = await LauncherCli.RunAsync(sandbox, [.. install, "--force"], cancellationToken: cancellationToken);
        var afterForce = await File.ReadAllTextAsync(unit, cancellationToken);

        // Assert
        var next = $"next: systemctl daemon-reload && systemctl enable --now launcher-{sandbox.Instance}";
        Assert.Multiple(() =>
        {
            Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
            Assert.That(written, Is.EqualTo(printed.Stdout + "\n"), "install writes exactly what print prints");
            Assert.That(first.Stdout, Does.Contain($"wrote {unit}").And.Contain(next));
            Assert.That(again.ExitCode, Is.EqualTo(0), again.ToString());
            Assert.That(again.Stdout, Does.Contain("already this unit").And.Contain(next));
            Assert.That(refused.ExitCode, Is.EqualTo(2), refused.ToString());
            Assert.That(refused.Stderr, Does.Contain(unit).And.Contain("--force"));
            Assert.That(refused.Stderr.Split('\n'), Has.Length.EqualTo(1), "one line");
            Assert.That(afterRefusal, Does.Contain("edited by hand"), "the different file is left alone");
            Assert.That(forced.ExitCode, Is.EqualTo(0), forced.ToString());
            Assert.That(afterForce, Is.EqualTo(written));
            Assert.That(Directory.GetFiles(unitDir), Has.Length.EqualTo(1), "no temporary file is left behind");
        });
    }

    [Test, CancelAfter(30_000)]
    public async Task Service_install_user_prints_the_user_manager_commands(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var config = (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        var configHome = Path.Combine(sandbox.Dir, "config-home");

        // Act: without --unit-dir, --user writes under $XDG_CONFIG_HOME/systemd/user.
        var result = await LauncherCli.RunAsync(sandbox, ["service", "install", "--systemd", "--user", "--config", config],
            environment: new Dictionary<string, string?> { ["XDG_CONFIG_HOME"] = configHome }, cancellationToken: cancellationToken);

        // Assert
        var unit = Path.Combine(configHome, "systemd", "user", $"launcher-{sandbox.Instance}.service");
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            Assert.That(File.Exists(unit), Is.True, result.ToString());
            Assert.That(File.ReadAllText(unit), Does.Contain("WantedBy=default.target"));
            Assert.That(result.Stdout, Does.Contain($"systemctl --user daemon-reload && systemctl --user enable --now launcher-{sandbox.Instance}"));
        });
    }

    [TestCase("print")]
    [TestCase("print --systemd --launchd")]
    [TestCase("print --launchd --user")]
    [TestCase("install")]
    [TestCase("install --launchd")]
    [TestCase("install --systemd --unit-dir")]
    [CancelAfter(30_000)]
    public async Task Service_with_a_wrong_choice_of_flags_exits_2_with_one_line(string args, CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var config = (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);

        // Act
        var result = await LauncherCli.RunAsync(sandbox, ["service", .. args.Split(' '), "--config", config], cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.Stdout, Is.Empty, result.ToString());
            Assert.That(result.Stderr.Split('\n'), Has.Length.EqualTo(1), result.ToString());
        });
    }

    /// <summary>The launcher's path, the sandbox directory and the instance name, replaced by placeholders.</summary>
    private static string Normalise(string text, Sandbox sandbox) =>
        text.Replace(Repo.LauncherExe, "<LAUNCHER>", StringComparison.Ordinal)
            .Replace(sandbox.Dir, "<DIR>", StringComparison.Ordinal)
            .Replace(sandbox.Instance, "<INSTANCE>", StringComparison.Ordinal) + "\n";

    private static void AssertGolden(string name, string actual)
    {
        var path = Path.Combine(Repo.Root, "tests", "Launcher.Tests", "Golden", name);
        if (Environment.GetEnvironmentVariable("LAUNCHER_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            TestContext.Progress.WriteLine($"rewrote {path}");
        }

        Assert.That(File.Exists(path), Is.True, $"{path} is missing; LAUNCHER_UPDATE_GOLDEN=1 writes it");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.That(actual, Is.EqualTo(expected), $"differs from {path} (review, then LAUNCHER_UPDATE_GOLDEN=1 to accept)");
    }
}
