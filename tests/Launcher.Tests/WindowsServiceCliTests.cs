using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// The Windows service's commands on Linux: `service install --windows` and `run --windows-service` refuse with one
/// line and exit 2, starting nothing (the service itself is tested under Wine: WindowsTier/WindowsServiceTests).
/// </summary>
[TestFixture]
public sealed class WindowsServiceCliTests
{
    [TestCase("service install --windows", "service install --windows creates the service on Windows itself")]
    [TestCase("service install --windows --user", "--user and --unit-dir are for --systemd")]
    [TestCase("service install --systemd --windows", "choose --systemd or --windows")]
    [TestCase("service install", "choose --systemd or --windows")]
    [TestCase("run --windows-service launcher-x", "--windows-service is for the Windows service control manager")]
    [CancelAfter(30_000)]
    public async Task A_windows_service_command_on_linux_is_refused_with_one_line_and_exit_2(string arguments, string expected, CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var config = LauncherConfig.SampleWorkers(1).WriteTo(sandbox);

        // Act
        var result = await LauncherCli.RunAsync(sandbox, [.. arguments.Split(' '), "--config", config], cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1).And.One.Contains(expected), result.ToString());
            Assert.That(sandbox.Survivors(), Is.Empty, "nothing started");
            Assert.That(Directory.Exists(sandbox.LogDir), Is.False, "no run began");
        });
    }
}
