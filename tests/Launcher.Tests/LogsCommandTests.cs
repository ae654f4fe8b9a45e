using System.Globalization;
using System.Text.RegularExpressions;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// `launcher logs` against a real launcher (issue 13, item 5): every worker's lines and the launcher's, merged in time
/// order and prefixed with their node; `-f` picks up the replacement of a SIGKILLed worker; `--node` filters; bad
/// arguments are one line and exit 2.
/// </summary>
[TestFixture]
public sealed partial class LogsCommandTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(90_000)]
    public async Task Logs_shows_both_workers_and_the_launcher_in_time_order(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(2) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var nodes = ReadyLine.Nodes(await launcher.WaitForLineAsync("ready:", Deadline, cancellationToken));

        // Act: plain output, because stdout is a pipe.
        var result = await LauncherCli.RunAsync(sandbox, ["logs"], cancellationToken: cancellationToken);

        // Assert
        var lines = result.Stdout.Split('\n');
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            Assert.That(nodes, Has.Count.EqualTo(2), launcher.Output);
            foreach (var node in nodes)
                Assert.That(lines, Has.Some.Match($@"^{Regex.Escape(node)} +\| .* out Ready\. pid=\d+ node={Regex.Escape(node)}$"), result.Stdout);
            Assert.That(lines, Has.Some.Match(@"^launcher +\| .*\[INF\] ready: 2/2 workers verified"), result.Stdout);
            Assert.That(result.Stdout, Does.Not.Contain("\u001b["), "no escape codes when piped");
            Assert.That(Timestamps(lines), Is.Ordered, "merged in time order");
        });

        launcher.Signal(Signals.SIGTERM);
        Assert.That(await launcher.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(120_000)]
    public async Task Logs_follow_shows_the_replacement_of_a_killed_worker(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var first = ReadyLine.Nodes(await launcher.WaitForLineAsync("ready:", Deadline, cancellationToken)).Single();
        await using var follow = LauncherProcess.Start(sandbox, ["logs", "-f"]);
        await follow.WaitForLineAsync(first + " | ", Deadline, cancellationToken);

        // Act: SIGKILL the worker; the launcher spawns a replacement with a new pid, so a new log file.
        Assert.That(ProcessProbe.Signal(ReadyLine.PidOf(first), Signals.SIGKILL), Is.True);
        var restarted = await launcher.WaitForLineAsync(line => SpineFacts.StartedPids(launcher).Count >= 2, Deadline, cancellationToken);
        var replacement = SpineFacts.StartedPids(launcher)[1];
        var replacementLine = await follow.WaitForLineAsync(
            line => line.StartsWith($"api{replacement.ToString(CultureInfo.InvariantCulture)}@", StringComparison.Ordinal) && line.Contains("out Ready.", StringComparison.Ordinal),
            Deadline, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(restarted, Does.Contain("Started worker"));
            Assert.That(replacementLine, Does.Contain($"node=api{replacement}@"), follow.Output);
            Assert.That(follow.HasExited, Is.False, "-f keeps following");
        });

        follow.Signal(Signals.SIGTERM);
        await follow.WaitForExitAsync(Deadline, cancellationToken);
        launcher.Signal(Signals.SIGTERM);
        Assert.That(await launcher.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(90_000)]
    public async Task Logs_node_shows_only_that_node(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(2) with { StopGraceSeconds = 5 }).WriteTo(sandbox);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var nodes = ReadyLine.Nodes(await launcher.WaitForLineAsync("ready:", Deadline, cancellationToken));
        var chosen = nodes[0];
        var shortName = chosen[..chosen.IndexOf('@', StringComparison.Ordinal)];

        // Act
        var full = await LauncherCli.RunAsync(sandbox, ["logs", "--node", chosen], cancellationToken: cancellationToken);
        var byShortName = await LauncherCli.RunAsync(sandbox, ["logs", "--node", shortName, "--since", "10m"], cancellationToken: cancellationToken);
        var launcherOnly = await LauncherCli.RunAsync(sandbox, ["logs", "--node", "launcher"], cancellationToken: cancellationToken);
        var unknown = await LauncherCli.RunAsync(sandbox, ["logs", "--node", "api1@nowhere"], cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(full.ExitCode, Is.EqualTo(0), full.ToString());
            Assert.That(full.Stdout, Does.Contain($"node={chosen}"), full.Stdout);
            Assert.That(full.Stdout.Split('\n'), Is.All.StartsWith(chosen + " | "), full.Stdout);
            Assert.That(byShortName.ExitCode, Is.EqualTo(0), byShortName.ToString());
            Assert.That(byShortName.Stdout.Split('\n'), Is.All.StartsWith(chosen + " | "), byShortName.Stdout);
            Assert.That(launcherOnly.Stdout.Split('\n'), Is.All.StartsWith("launcher | "), launcherOnly.Stdout);
            Assert.That(unknown.ExitCode, Is.EqualTo(2), unknown.ToString());
            Assert.That(unknown.Stderr, Does.Contain(chosen), "the error lists the nodes there are");
        });

        launcher.Signal(Signals.SIGTERM);
        Assert.That(await launcher.WaitForExitAsync(Deadline, cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [TestCase("--since 10x")]
    [TestCase("--since 10")]
    [TestCase("--since -5m")]
    [TestCase("--node")]
    [TestCase("--bogus")]
    [CancelAfter(30_000)]
    public async Task Logs_with_a_bad_argument_exits_2_with_one_line(string args, CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(1) with { StopGraceSeconds = 5 }).WriteTo(sandbox);

        // Act
        var result = await LauncherCli.RunAsync(sandbox, ["logs", .. args.Split(' ')], cancellationToken: cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.Stderr.Split('\n'), Has.Length.EqualTo(1), result.ToString());
        });
    }

    private static List<DateTimeOffset> Timestamps(IEnumerable<string> lines) =>
        lines.Select(line => TimestampAfterPrefix().Match(line))
            .Where(match => match.Success)
            .Select(match => DateTimeOffset.ParseExact(match.Groups[1].Value, "yyyy-MM-dd HH:mm:ss.fff zzz", CultureInfo.InvariantCulture))
            .ToList();

    [GeneratedRegex(@"^\S+ +\| (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d) ")]
    private static partial Regex TimestampAfterPrefix();
}
