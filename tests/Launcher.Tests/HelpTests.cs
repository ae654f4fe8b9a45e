using System.CommandLine;
using Launcher.Cli;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// "A --help that answers the question": every command of the real command tree, including ones added later, shows
/// its usage and an example of itself, plainly (no escape codes) when piped.
/// </summary>
[TestFixture]
public sealed class HelpTests
{
    private static IEnumerable<TestCaseData> EveryCommand() =>
        Walk(CliApp.BuildRoot(), []).Select(path => new TestCaseData(string.Join(' ', path)).SetArgDisplayNames(string.Join(' ', path)));

    [Test]
    public void The_command_tree_has_every_documented_command()
    {
        var commands = Walk(CliApp.BuildRoot(), []).Select(path => string.Join(' ', path)).ToList();

        Assert.That(commands, Is.SupersetOf(new[] { "run", "status", "ping", "stop", "strays", "doctor", "logs", "service print", "service install" }));
    }

    [TestCaseSource(nameof(EveryCommand))]
    [CancelAfter(30_000)]
    public async Task Help_on_a_command_shows_its_usage_and_an_example_of_itself(string command, CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();

        // Act
        var help = await LauncherCli.RunAsync(sandbox, [.. command.Split(' '), "--help"], TimeSpan.FromSeconds(30), cancellationToken: cancellationToken);

        // Assert: the example is looked for after the heading only (without one there is nothing to search, so a
        // usage line alone can never pass for an example).
        var heading = help.Stdout.IndexOf("Examples:", StringComparison.Ordinal);
        var examples = heading < 0 ? "" : help.Stdout[(heading + "Examples:".Length)..];
        Assert.Multiple(() =>
        {
            Assert.That(help.ExitCode, Is.EqualTo(0), help.ToString());
            Assert.That(help.Stdout, Does.Contain($"launcher {command}"), "usage");
            Assert.That(heading, Is.GreaterThanOrEqualTo(0), "an Examples: section: " + help.Stdout);
            Assert.That(examples, Does.Contain($"  launcher {command}"), "an example of this very command");
            Assert.That(help.Stdout, Does.Not.Contain("\u001b"), "no escape codes in a pipe");
        });
    }

    // Every visible command below the root, as the words a user types ("service print").
    private static IEnumerable<string[]> Walk(Command command, string[] path)
    {
        foreach (var child in command.Subcommands.Where(c => !c.Hidden))
        {
            string[] childPath = [.. path, child.Name];
            yield return childPath;
            foreach (var grandchild in Walk(child, childPath))
                yield return grandchild;
        }
    }
}
