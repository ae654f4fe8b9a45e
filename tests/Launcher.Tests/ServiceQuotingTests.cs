using Launcher.Service;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>Paths with spaces, quotes, % and $ survive into a unit file and an sc.exe binPath. No processes.</summary>
[TestFixture]
public sealed class ServiceQuotingTests
{
    [TestCase("/opt/launcher", "/opt/launcher")]
    [TestCase("/opt/my apps/launcher", "\"/opt/my apps/launcher\"")]
    [TestCase("/srv/100%/x", "/srv/100%%/x")]
    [TestCase("/srv/$HOME", "/srv/$$HOME")]
    [TestCase("/a \"b\"\\c", "\"/a \\\"b\\\"\\\\c\"")]
    public void A_systemd_word_is_escaped_as_systemd_syntax_reads_it(string word, string expected) =>
        Assert.That(SystemdUnit.Quote(word), Is.EqualTo(expected));

    [Test]
    public void An_environment_value_keeps_its_dollar_and_doubles_its_percent() =>
        Assert.That(SystemdUnit.Quote("LAUNCHER_RUNTIME_DIR=/run/$x/100%", commandLine: false), Is.EqualTo("LAUNCHER_RUNTIME_DIR=/run/$x/100%%"));

    [TestCase(@"C:\launcher\launcher.exe", @"C:\launcher\launcher.exe")]
    [TestCase(@"C:\Program Files\launcher.exe", "\"C:\\Program Files\\launcher.exe\"")]
    [TestCase(@"C:\dir with space\", "\"C:\\dir with space\\\\\"")]
    [TestCase("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [TestCase("", "\"\"")]
    public void A_windows_argument_is_quoted_as_CommandLineToArgvW_reads_it(string argument, string expected) =>
        Assert.That(WindowsService.ArgvQuote(argument), Is.EqualTo(expected));

    [Test]
    public void A_unit_for_a_config_in_a_directory_with_spaces_quotes_only_the_command_line()
    {
        var target = new ServiceTarget("web", "/opt/my apps/launcher", "/srv/my app/launcher.json", "/srv/my app", "/srv/my app/logs", null, TimeSpan.FromSeconds(10));

        var unit = SystemdUnit.Render(target, user: false);

        Assert.Multiple(() =>
        {
            Assert.That(unit, Does.Contain("ExecStart=\"/opt/my apps/launcher\" run --config \"/srv/my app/launcher.json\"\n"));
            Assert.That(unit, Does.Contain("WorkingDirectory=/srv/my app\n"), "a path setting is read verbatim");
            Assert.That(unit, Does.Not.Contain("LAUNCHER_RUNTIME_DIR"), "set only when the user set it");
            Assert.That(unit, Does.Contain("TimeoutStopSec=40\n"));
        });
    }
}
