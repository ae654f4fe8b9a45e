using Launcher.Cli;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>
/// Issue 12, part 3: `status` and `ping` skip System.CommandLine only in their plain forms; every other command line
/// goes to CliApp, which stays the one judge of bad usage. The answers are compared end to end in
/// <see cref="Launcher.Tests.EarlyPathTests"/>.
/// </summary>
[TestFixture]
public sealed class EarlyCommandLineTests
{
    [TestCase("status")]
    [TestCase("status --json")]
    [TestCase("status --config a.json")]
    [TestCase("status -c a.json --json")]
    [TestCase("ping")]
    [TestCase("ping --expect 0")]
    [TestCase("ping --json --expect 12 --config a.json")]
    public void The_plain_forms_of_status_and_ping_take_the_early_path(string commandLine) =>
        Assert.That(EarlyCommandLine.TryParse(commandLine.Split(' ')) is not null, Is.True, "a command to run (a delegate, so not handed to Assert.That itself)");

    [TestCase("")]
    [TestCase("run")]
    [TestCase("stop")]
    [TestCase("strays --json")]
    [TestCase("--config a.json status")]
    [TestCase("status --help")]
    [TestCase("status -h")]
    [TestCase("status --json --json")]
    [TestCase("status --json false")]
    [TestCase("status --config")]
    [TestCase("status --config a.json --config b.json")]
    [TestCase("status --config --json")]
    [TestCase("status --config=a.json")]
    [TestCase("status --config @args.rsp")]
    [TestCase("status @args.rsp")]
    [TestCase("status --expect 1")]
    [TestCase("status extra")]
    [TestCase("ping --expect -3")]
    [TestCase("ping --expect x")]
    [TestCase("ping --expect 1e3")]
    [TestCase("ping --expect 9999999999")]
    [TestCase("ping --expect 1 --expect 2")]
    [TestCase("ping --")]
    [TestCase("Status")]
    public void Every_other_command_line_is_left_to_the_full_parser(string commandLine) =>
        Assert.That(EarlyCommandLine.TryParse(commandLine.Length == 0 ? [] : commandLine.Split(' ')) is null, Is.True, "left to CliApp");
}
