using System.Runtime.Versioning;
using Launcher.Agent.Protocol;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Exit codes as README promises them: a bad environment or bad usage is exit 2 with one line, read-only commands
/// keep working when the worker binary is gone, and <c>launcher doctor</c> only looks.
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
public sealed class CliExitCodeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(60_000)]
    public async Task A_runtime_directory_under_a_regular_file_exits_2_with_one_line_naming_LAUNCHER_RUNTIME_DIR(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        var plainFile = Path.Combine(sandbox.Dir, "plain-file");
        File.WriteAllText(plainFile, "not a directory");

        // Act
        var result = await LauncherCli.RunAsync(
            sandbox, ["run"], Deadline, environment: new Dictionary<string, string?> { [EnvironmentNames.RuntimeDir] = Path.Combine(plainFile, "runtime") }, cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), result.Stderr);
            Assert.That(result.Stderr, Does.Contain(EnvironmentNames.RuntimeDir));
            Assert.That(sandbox.Survivors(), Is.Empty, "no worker");
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task Ping_with_a_negative_expect_exits_2(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);

        // Act
        var result = await LauncherCli.RunAsync(sandbox, ["ping", "--expect", "-3"], Deadline, cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.Stderr, Does.Contain("--expect"));
        });
    }

    [Test, CancelAfter(120_000)]
    public async Task Status_ping_and_stop_still_work_after_the_worker_binary_is_gone(CancellationToken cancellationToken)
    {
        // Arrange: the config's program is a wrapper script; a clean rebuild removes it while the launcher runs.
        await using var sandbox = new Sandbox();
        var wrapper = Path.Combine(sandbox.Dir, "worker.sh");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec '{Repo.SampleWorkerExe}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var config = new LauncherConfig { Command = ["./worker.sh", "--tick-seconds", "1"], StopGraceSeconds = 5, StartTimeoutSeconds = null };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var worker = run.Workers.Single();
        run.Observe();
        File.Delete(wrapper);
        Directory.Delete(sandbox.LogDir, recursive: true);

        // Act
        var status = await LauncherCli.RunAsync(sandbox, ["status"], Deadline, cancellationToken: cancellationToken);
        var ping = await LauncherCli.RunAsync(sandbox, ["ping", "--expect", "1"], Deadline, cancellationToken: cancellationToken);
        var stop = await LauncherCli.RunAsync(sandbox, ["stop"], TimeSpan.FromSeconds(60), cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(status.ExitCode, Is.EqualTo(0), status.ToString());
            Assert.That(ping.ExitCode, Is.EqualTo(0), ping.ToString());
            Assert.That(stop.ExitCode, Is.EqualTo(0), stop.ToString());
        });
        Assert.That(await run.WaitForExitAsync(cancellationToken), Is.EqualTo(0), run.Output);
        Assert.That(worker.Identity.IsAlive, Is.False);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(60_000)]
    public async Task Doctor_creates_and_changes_nothing_and_checks_locking_in_a_file_it_removes(CancellationToken cancellationToken)
    {
        // Arrange: one runtime directory that does not exist, one with a loose mode.
        await using var sandbox = new Sandbox();
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        var missing = Path.Combine(sandbox.Dir, "not-yet");
        var loose = Directory.CreateDirectory(Path.Combine(sandbox.Dir, "loose")).FullName;
        const UnixFileMode LooseMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        File.SetUnixFileMode(loose, LooseMode);

        // Act
        var onMissing = await LauncherCli.RunAsync(
            sandbox, ["doctor"], Deadline, environment: new Dictionary<string, string?> { [EnvironmentNames.RuntimeDir] = missing }, cancellationToken: cancellationToken);
        var onLoose = await LauncherCli.RunAsync(
            sandbox, ["doctor"], Deadline, environment: new Dictionary<string, string?> { [EnvironmentNames.RuntimeDir] = loose }, cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(onMissing.ExitCode, Is.EqualTo(0), onMissing.ToString());
            Assert.That(Path.Exists(missing), Is.False, "doctor did not create the runtime directory");
            Assert.That(onLoose.ExitCode, Is.EqualTo(0), onLoose.ToString());
            Assert.That(onLoose.Stdout, Does.Contain("ok    file locking works"));
            Assert.That(File.GetUnixFileMode(loose), Is.EqualTo(LooseMode), "doctor did not chmod the runtime directory");
            Assert.That(Directory.EnumerateFileSystemEntries(loose), Is.Empty, "the lock probe file is removed");
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task Doctor_exits_1_when_a_check_fails(CancellationToken cancellationToken)
    {
        // Arrange: the runtime directory is a symlink, which the launcher refuses.
        await using var sandbox = new Sandbox();
        LauncherConfig.SampleWorkers(1).WriteTo(sandbox);
        var link = Path.Combine(sandbox.Dir, "linked-runtime");
        File.CreateSymbolicLink(link, sandbox.RuntimeDir);

        // Act
        var result = await LauncherCli.RunAsync(
            sandbox, ["doctor"], Deadline, environment: new Dictionary<string, string?> { [EnvironmentNames.RuntimeDir] = link }, cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
            Assert.That(result.Stdout, Does.Contain("FAIL").And.Contain("symlink"));
        });
    }
}
