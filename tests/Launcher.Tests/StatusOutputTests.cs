using System.Text.Json;
using System.Text.RegularExpressions;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 6, the terminal: `launcher status` as a table and as JSON says the same thing; colours only on a
/// terminal, never in a pipe; every command's help has an example; errors are one line, red on a terminal.
/// </summary>
[TestFixture]
public sealed class StatusOutputTests
{
    private const string Escape = "\u001b";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(60_000)]
    public async Task Status_as_a_table_and_as_json_carry_the_same_facts_and_piped_output_has_no_escape_codes(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        await using var run = await LauncherRun.StartAsync(sandbox, LauncherConfig.SampleWorkers(2), cancellationToken: cancellationToken);

        // Act (stdout is a pipe here)
        var table = await LauncherCli.RunAsync(sandbox, ["status"], Deadline, cancellationToken: cancellationToken);
        var json = await LauncherCli.RunAsync(sandbox, ["status", "--json"], Deadline, cancellationToken: cancellationToken);

        // Assert: every worker in the JSON has its row (node, pid, state) in the table, and the table no other.
        using var report = JsonDocument.Parse(json.Stdout);
        var root = report.RootElement;
        var workers = root.GetProperty("workers").EnumerateArray()
            .Select(w => (Node: w.GetProperty("node").GetString()!, Pid: w.GetProperty("pid").GetInt32(), State: w.GetProperty("state").GetString()!))
            .ToList();
        var rows = table.Stdout.Split('\n').Where(line => line.StartsWith("api", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(table.ExitCode, Is.EqualTo(0), table.ToString());
            Assert.That(json.ExitCode, Is.EqualTo(0), json.ToString());
            Assert.That(workers.Select(w => w.Node), Is.EquivalentTo(run.Workers.Select(w => w.Node)));
            Assert.That(workers.Select(w => w.State), Is.All.EqualTo("supervised"), "known as this launcher's from the moment it said ready");
            Assert.That(rows, Has.Count.EqualTo(workers.Count), table.Stdout);
            foreach (var (node, pid, state) in workers)
                Assert.That(rows, Has.One.Match($@"^{Regex.Escape(node)}\s+{pid}\s.*\b{state}\b"), $"a row for {node}");
            Assert.That(root.GetProperty("instance").GetString(), Is.EqualTo(sandbox.Instance));
            Assert.That(table.Stdout, Does.Contain(sandbox.Instance));
            Assert.That(root.GetProperty("launcher").GetProperty("pid").GetInt32(), Is.EqualTo(run.Pid));
            Assert.That(table.Stdout, Does.Contain($"pid {run.Pid}"));
            Assert.That(table.Stdout + table.Stderr, Does.Not.Contain(Escape), "no escape codes in a pipe");
            Assert.That(json.Stdout, Does.Not.Contain(Escape));
        });

        // Assert: on a terminal, the same command colours its output.
        var onTerminal = await OnTerminalAsync(sandbox, "status", cancellationToken);
        Assert.That(onTerminal, Does.Contain(Escape + "[").And.Contain(workers[0].Node), onTerminal);

        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), run.Output);
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    [Test, CancelAfter(30_000)]
    public async Task An_error_is_one_line_with_the_fix_red_on_a_terminal_and_plain_in_a_pipe(CancellationToken cancellationToken)
    {
        // Arrange: a config with a bad value; what is checked is the shape of the message.
        await using var sandbox = new Sandbox();
        (LauncherConfig.SampleWorkers(0) with { LogDir = null, StartTimeoutSeconds = null, StopGraceSeconds = null }).WriteTo(sandbox);

        // Act
        var piped = await LauncherCli.RunAsync(sandbox, ["run"], Deadline, cancellationToken: cancellationToken);
        var onTerminal = await OnTerminalAsync(sandbox, "run", cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(piped.ExitCode, Is.EqualTo(2), piped.ToString());
            Assert.That(piped.Stderr, Is.EqualTo("launcher: 'workers': must be a whole number from 1 to 256 (got 0)"), "one plain line saying what to write");
            Assert.That(onTerminal, Does.Contain(Escape + "[31mlauncher: 'workers'"), "red on a terminal: " + onTerminal);
        });
        Assert.That(sandbox.Survivors(), Is.Empty);
    }

    /// <summary>
    /// Runs <c>launcher &lt;arguments&gt;</c> on a pseudo-terminal (util-linux <c>script</c>), so it sees a terminal
    /// on stdout and stderr, and returns everything it wrote there.
    /// </summary>
    private static async Task<string> OnTerminalAsync(Sandbox sandbox, string arguments, CancellationToken cancellationToken)
    {
        await using var script = LauncherProcess.StartProgram(
            sandbox,
            "script",
            ["--quiet", "--return", "--command", $"{Repo.LauncherExe} {arguments}", "/dev/null"],
            environment: new Dictionary<string, string?> { ["TERM"] = "xterm-256color", ["NO_COLOR"] = null, ["COLUMNS"] = "200" });
        await script.WaitForExitAsync(Deadline, cancellationToken);
        return script.Output;
    }
}
