using System.Text.Json;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 2, the protocol is language-neutral: the Python worker printed in docs/PROTOCOL.md, run exactly as
/// written, is verified by the launcher, registers as documented and cleans up when stopped.
/// </summary>
[TestFixture]
public sealed class ProtocolTests
{
    private const string Python = "/usr/bin/python3";
    private const string Begin = "<!-- protocol-example:begin -->";
    private const string End = "<!-- protocol-example:end -->";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test, CancelAfter(60_000)]
    public async Task The_python_worker_in_PROTOCOL_md_is_verified_by_the_launcher(CancellationToken cancellationToken)
    {
        if (!File.Exists(Python))
            Assert.Ignore($"{Python} is not installed");

        // Arrange: the snippet from the document, byte for byte.
        await using var sandbox = new Sandbox();
        var script = Path.Combine(sandbox.Dir, "worker.py");
        File.WriteAllText(script, Snippet());
        var config = new LauncherConfig { Command = [Python, script], Workers = 2, StopGraceSeconds = 5 };

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var launcher = run.Process;
        var ready = run.Ready;
        var nodes = run.Workers.Select(w => w.Node).ToList();
        var pids = run.Workers.Select(w => w.Pid).ToList();
        var ping = await LauncherCli.RunAsync(sandbox, ["ping", "--expect", "2"], Deadline, cancellationToken: cancellationToken);

        // Assert: verified and pingable; each registration is the documented one, with the process's identity.
        Assert.Multiple(() =>
        {
            Assert.That(ReadyLine.Counts(ready), Is.EqualTo((2, 2)), ready);
            Assert.That(ping.ExitCode, Is.EqualTo(0), ping.ToString());
            foreach (var (node, pid) in nodes.Zip(pids))
            {
                using var registration = JsonDocument.Parse(File.ReadAllText(sandbox.Paths.RegistrationFile(pid)));
                var root = registration.RootElement;
                Assert.That(root.GetProperty("node").GetString(), Is.EqualTo(node));
                Assert.That(root.GetProperty("pid").GetInt32(), Is.EqualTo(pid));
                Assert.That(root.GetProperty("startTicks").GetUInt64(), Is.EqualTo(ProcessProbe.StartTicks(pid)));
                Assert.That(root.GetProperty("socket").GetString(), Is.EqualTo(sandbox.Paths.SocketFile(pid)));
                Assert.That(ProcessProbe.CommandLine(pid), Is.EqualTo($"{Python} {script}"));
            }
        });

        // Act: a graceful stop leaves an empty registry.
        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), launcher.Output);
        Assert.Multiple(() =>
        {
            Assert.That(launcher.Output, Does.Contain("ended by SIGTERM"));
            Assert.That(SpineFacts.RegistryEntries(sandbox), Is.Empty);
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    /// <summary>The fenced code between the markers in docs/PROTOCOL.md.</summary>
    private static string Snippet()
    {
        var document = File.ReadAllText(Path.Combine(Repo.Root, "docs", "PROTOCOL.md"));
        var begin = document.IndexOf(Begin, StringComparison.Ordinal);
        var end = document.IndexOf(End, StringComparison.Ordinal);
        Assert.That(begin, Is.GreaterThanOrEqualTo(0).And.LessThan(end), $"docs/PROTOCOL.md has the markers {Begin} ... {End}");
        var fenced = document[(begin + Begin.Length)..end].Trim();
        var lines = fenced.Split('\n');
        Assert.That(lines[0], Is.EqualTo("```python"));
        Assert.That(lines[^1], Is.EqualTo("```"));
        return string.Join('\n', lines[1..^1]) + "\n";
    }
}
