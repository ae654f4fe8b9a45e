using Launcher.Service;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>
/// The Windows service's command line (binPath) and the sc.exe line `service print --windows` shows for it, for
/// paths with spaces and percent signs. Pure rendering, no processes.
/// </summary>
[TestFixture]
public sealed class WindowsServiceCommandLineTests
{
    [Test]
    public void The_sc_create_line_quotes_a_launcher_and_a_config_in_directories_with_spaces()
    {
        // Arrange
        var target = new ServiceTarget("web", @"C:\Program Files\launcher\launcher.exe", @"C:\My Apps\web\launcher.json", @"C:\My Apps\web", @"C:\My Apps\web\logs", null, TimeSpan.FromSeconds(10));

        // Act
        var binPath = WindowsService.BinPath(target);
        var script = WindowsService.Render(target).Split('\n');

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(binPath, Is.EqualTo("\"C:\\Program Files\\launcher\\launcher.exe\" run --config \"C:\\My Apps\\web\\launcher.json\" --windows-service launcher-web"));
            Assert.That(script, Has.One.EqualTo(
                "sc.exe create launcher-web binPath= \"\\\"C:\\Program Files\\launcher\\launcher.exe\\\" run --config \\\"C:\\My Apps\\web\\launcher.json\\\" --windows-service launcher-web\"" +
                " start= auto DisplayName= \"launcher: workers of instance web\""));
            Assert.That(script, Has.One.EqualTo("sc.exe failureflag launcher-web 1"), "a failed exit restarts the service too");
            Assert.That(script, Has.None.StartsWith("reg add"), "no environment unless LAUNCHER_RUNTIME_DIR was set");
        });
    }

    [Test]
    public void Paths_without_spaces_stay_bare_and_a_percent_is_doubled_only_in_the_cmd_script()
    {
        // Arrange
        var target = new ServiceTarget("api", @"C:\launcher\launcher.exe", @"D:\100%\launcher.json", @"D:\100%", @"D:\100%\logs", @"D:\run\100%", TimeSpan.FromSeconds(10));

        // Act
        var binPath = WindowsService.BinPath(target);
        var script = WindowsService.Render(target).Split('\n');

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(binPath, Is.EqualTo(@"C:\launcher\launcher.exe run --config D:\100%\launcher.json --windows-service launcher-api"), "what the service control manager stores");
            Assert.That(script, Has.One.StartsWith(@"sc.exe create launcher-api binPath= ""C:\launcher\launcher.exe run --config D:\100%%\launcher.json --windows-service launcher-api"""));
            Assert.That(WindowsService.EnvironmentBlock(target), Is.EqualTo(new[] { @"LAUNCHER_RUNTIME_DIR=D:\run\100%" }));
            Assert.That(script, Has.One.EqualTo(@"reg add HKLM\SYSTEM\CurrentControlSet\Services\launcher-api /v Environment /t REG_MULTI_SZ /d ""LAUNCHER_RUNTIME_DIR=D:\run\100%%"" /f"));
        });
    }
}
