using System.Text.Json.Nodes;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 13 part 4: the status page on the metrics listener, in a real browser (Debian's headless chromium), and
/// /status.json against `launcher status --json`.
/// </summary>
[TestFixture]
public sealed class StatusPageTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Test, CancelAfter(240_000)]
    public async Task The_page_in_headless_chromium_shows_the_worker_and_its_replacement_appears_without_a_reload(CancellationToken cancellationToken)
    {
        // Arrange
        HeadlessChromium.Require();
        await using var sandbox = new Sandbox();
        var config = LauncherConfig.SampleWorkers(1) with
        {
            Restart = new { initialDelaySeconds = 0.1 },
            Extra = new Dictionary<string, object?> { ["metrics"] = new { listen = "127.0.0.1:0" } },
        };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var page = await MetricsScrape.AddressOfAsync(run, cancellationToken) + "/";
        var first = run.Workers.Single();

        // Act 1: one load with --dump-dom: the DOM after the page's script has fetched status.json.
        var dom = await HeadlessChromium.DumpDomAsync(page, Path.Combine(sandbox.Dir, "chromium-dump"), TimeSpan.FromSeconds(5), cancellationToken);

        // Assert 1
        Assert.That(dom, Does.Contain(first.Node).And.Contain($">{sandbox.Instance}<"), dom);

        // Act 2: a page that keeps running; the worker is SIGKILLed under it.
        await using var browser = await HeadlessChromium.OpenAsync(page, Path.Combine(sandbox.Dir, "chromium-live"), cancellationToken);
        const string Probe = "JSON.stringify({ loadedAt: document.documentElement.dataset.loadedAt, refreshes: Number(document.documentElement.dataset.refreshes), seen: document.documentElement.dataset.nodesSeen || '', workers: document.getElementById('workers').textContent, navigations: performance.getEntriesByType('navigation').length })";
        JsonNode before = null!;
        await Eventually.TrueAsync(
            async () => ((string?)(before = JsonNode.Parse(await browser.EvaluateAsync(Probe, cancellationToken) ?? "{}")!)["workers"] ?? "").Contains(first.Node, StringComparison.Ordinal),
            Deadline, $"the live page shows {first.Node}", cancellationToken);
        Assert.That(ProcessProbe.Signal(first.Pid, Signals.SIGKILL), Is.True);
        await run.WaitForLineAsync($"#{first.PidInside} ended:", cancellationToken);
        var started = await run.Process.WaitForLineAsync(
            line => line.Contains("Started worker", StringComparison.Ordinal) && !line.Contains($"(pid {first.PidInside})", StringComparison.Ordinal),
            Deadline, cancellationToken);
        run.Observe();
        var replacement = Supervision.StartedPids(run.Process)[^1];
        var replacementNode = $"api{replacement}@";

        // Assert 2: the same document (same load time, one navigation) redrew itself with the replacement.
        JsonNode after = null!;
        await Eventually.TrueAsync(
            async () =>
            {
                after = JsonNode.Parse(await browser.EvaluateAsync(Probe, cancellationToken) ?? "{}")!;
                var workers = (string?)after["workers"] ?? "";
                return workers.Contains(replacementNode, StringComparison.Ordinal) && !workers.Contains(first.Node, StringComparison.Ordinal);
            },
            Deadline, $"the live page shows the replacement {replacementNode} (and no longer {first.Node}) without a reload", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(started, Does.Contain(replacementNode));
            Assert.That((string?)after["loadedAt"], Is.EqualTo((string?)before["loadedAt"]).And.Not.Null, "the same document: its load time did not change");
            Assert.That((int)after["navigations"]!, Is.EqualTo(1), "one navigation: the page was never reloaded");
            Assert.That((int)after["refreshes"]!, Is.GreaterThan((int)before["refreshes"]!), "it redrew itself from status.json");
            Assert.That((string?)after["seen"], Does.Contain(first.Node).And.Contain(replacementNode), "this one document showed both workers");
        });

        Assert.That(await run.StopAsync(cancellationToken), Is.EqualTo(0), run.Output);
    }

    [Test, CancelAfter(120_000)]
    public async Task Status_json_is_what_launcher_status_json_prints(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var config = LauncherConfig.SampleWorkers(2) with { Extra = new Dictionary<string, object?> { ["metrics"] = new { listen = "127.0.0.1:0" } } };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var address = await MetricsScrape.AddressOfAsync(run, cancellationToken);
        using var client = new HttpClient();

        // Act
        var served = JsonNode.Parse(await client.GetStringAsync(new Uri(address + "/status.json"), cancellationToken))!.AsObject();
        var cli = await LauncherCli.RunAsync(sandbox, ["status", "--json"], Deadline, cancellationToken: cancellationToken);
        var printed = JsonNode.Parse(cli.Stdout)!.AsObject();

        // Assert: the same keys everywhere, and the same values for everything that does not move with the clock.
        static string[] Keys(JsonObject o) => [.. o.Select(p => p.Key).Order(StringComparer.Ordinal)];
        var servedWorkers = served["workers"]!.AsArray().Select(w => w!.AsObject()).OrderBy(w => (int)w["pid"]!).ToList();
        var printedWorkers = printed["workers"]!.AsArray().Select(w => w!.AsObject()).OrderBy(w => (int)w["pid"]!).ToList();
        static string Stable(JsonObject w) => $"{w["node"]} {w["pid"]} {w["logFile"]} {w["restarts"]} {w["state"]}";
        Assert.Multiple(() =>
        {
            Assert.That(cli.ExitCode, Is.EqualTo(0), cli.ToString());
            Assert.That(Keys(served), Is.EqualTo(Keys(printed)));
            foreach (var key in (string[])["instance", "state", "expected", "launcher", "coordination"])
                Assert.That(served[key]?.ToJsonString(), Is.EqualTo(printed[key]?.ToJsonString()), key);
            Assert.That(servedWorkers.Select(Stable), Is.EqualTo(printedWorkers.Select(Stable)));
            Assert.That(servedWorkers.Select(Keys), Is.EqualTo(printedWorkers.Select(Keys)));
            Assert.That(servedWorkers, Has.Count.EqualTo(2));
            var events = served["events"]!.AsArray().Select(e => e!.ToJsonString()).ToList();
            Assert.That(printed["events"]!.AsArray().Select(e => e!.ToJsonString()).Take(events.Count), Is.EqualTo(events), "the same events, oldest first");
        });
    }
}
