using System.Text.Json;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 11, the broker census in `launcher run`: verification needs the census to list exactly our workers; a
/// foreign consumer is stopped only when it proves to be a stray here, else the start exits 4 naming it; dead
/// registrations of this host get <c>onWorkerExit</c> with reason <c>lost</c> before spawning; a census that fails
/// is exit 4 at start and a warning while supervising. The broker is <see cref="FakeBroker"/>: a census script over
/// files, so these tests do not depend on the RQ and Celery integrations.
/// </summary>
[TestFixture]
public sealed class CensusTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Test, CancelAfter(120_000)]
    public async Task A_census_listing_exactly_our_workers_lets_the_run_get_ready_and_status_shows_what_it_saw(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        _ = new FakeBroker(sandbox);
        var config = LauncherConfig.SampleWorkers(2) with { Extra = new Dictionary<string, object?> { ["census"] = FakeBroker.Census() } };

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var json = await LauncherCli.RunAsync(sandbox, ["status", "--json"], cancellationToken: cancellationToken);
        var human = await LauncherCli.RunAsync(sandbox, ["status"], cancellationToken: cancellationToken);

        // Assert
        using var status = JsonDocument.Parse(json.Stdout);
        var census = status.RootElement.GetProperty("census");
        Assert.Multiple(() =>
        {
            Assert.That(run.Output, Does.Contain("Census verified: exactly our 2 node(s) in scope"), run.Output);
            Assert.That(census.GetProperty("ours").EnumerateArray().Select(n => n.GetString()), Is.EquivalentTo(run.Workers.Select(w => w.Node)), json.Stdout);
            Assert.That(census.GetProperty("foreign").GetArrayLength(), Is.EqualTo(0), json.Stdout);
            Assert.That(census.GetProperty("missing").GetArrayLength(), Is.EqualTo(0), json.Stdout);
            Assert.That(census.GetProperty("scope").GetString(), Is.EqualTo("host"));
            Assert.That(census.GetProperty("at").GetDateTimeOffset(), Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5)));
            Assert.That(census.GetProperty("failure").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(human.Stdout, Does.Contain("census").And.Contain("(scope host): 2 of ours, 0 foreign, 0 stale"), human.Stdout);
        });
    }

    [Test, CancelAfter(180_000)]
    public async Task A_foreign_node_on_another_host_is_ignored_with_scope_host_and_fails_the_start_with_exit_4_naming_it_with_scope_all(CancellationToken cancellationToken)
    {
        // Arrange: another machine's Celery worker consumes the same queue.
        await using var sandbox = new Sandbox();
        var broker = new FakeBroker(sandbox);
        broker.Registered(FakeBroker.Json("celery@elsewhere-7", pid: 4242, heartbeat: "2099-01-01T00:00:00Z"));
        var hostScope = LauncherConfig.SampleWorkers(1) with { Extra = new Dictionary<string, object?> { ["census"] = FakeBroker.Census("host") } };
        var allScope = hostScope with { Extra = new Dictionary<string, object?> { ["census"] = FakeBroker.Census("all") } };

        // Act
        await using (var run = await LauncherRun.StartAsync(sandbox, hostScope, cancellationToken: cancellationToken))
            Assert.That(run.Output, Does.Contain("1 node(s) of other hosts not judged"), run.Output);
        allScope.WriteTo(sandbox);
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(4), launcher.Output);
            Assert.That(launcher.Output, Does.Contain("foreign consumer(s) in scope (all) beside ours: celery@elsewhere-7 (pid 4242, host elsewhere-7"), launcher.Output);
            Assert.That(launcher.Output, Does.Contain("it runs on another host (elsewhere-7)"), launcher.Output);
            Assert.That(launcher.Output, Does.Not.Contain("ready:"), launcher.Output);
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(120_000)]
    public async Task A_hand_started_worker_the_census_names_is_stopped_as_a_stray_and_exactly_our_workers_remain(CancellationToken cancellationToken)
    {
        // Arrange: a SampleWorker started by hand, without marker or registration (nothing but the census finds it),
        // consuming the queue: the broker lists it with its pid and a fresh heartbeat.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        var broker = new FakeBroker(sandbox);
        await using var intruder = LauncherProcess.StartProgram(sandbox, Repo.SampleWorkerExe, ["--tick-seconds", "1"]);
        await intruder.WaitForLineAsync("Ready.", Deadline, cancellationToken);
        var node = $"celery@{FakeBroker.Host}";
        broker.Consuming(node, intruder.PidInside);
        var config = LauncherConfig.SampleWorkers(2) with { OnWorkerExit = FakeBroker.Hook, Extra = new Dictionary<string, object?> { ["census"] = FakeBroker.Census() } };

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);

        // Assert
        var intruderExit = await intruder.WaitForExitAsync(Deadline, cancellationToken);
        var ours = run.Workers.Select(w => w.Pid).ToHashSet();
        Assert.Multiple(() =>
        {
            Assert.That(intruderExit, Is.EqualTo(0), "stopped by SIGTERM, gracefully: " + intruder.Output);
            Assert.That(run.Output, Does.Contain($"Census: stopped foreign consumer {node}#{intruder.PidInside}"), run.Output);
            Assert.That(broker.HookRuns(), Is.EqualTo(new[] { $"stray-killed {node} {intruder.PidInside} code=" }), "the exit hook ran once for it");
            Assert.That(ProcessProbe.AllPids().Where(pid => ProcessProbe.IsAlive(pid)
                    && ProcessProbe.CommandLine(pid)?.StartsWith(Repo.SampleWorkerExe, StringComparison.Ordinal) == true
                    && sandbox.Namespace!.InnerPid(pid) is not null),
                Is.EquivalentTo(ours), "exactly our two workers remain");
        });
    }

    [Test, CancelAfter(120_000)]
    public async Task A_process_the_census_names_that_is_not_provably_ours_is_never_killed_and_the_start_exits_4_naming_it(CancellationToken cancellationToken)
    {
        // Arrange: the broker names a consumer whose pid is an unrelated `sleep` (no marker, another program).
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        var broker = new FakeBroker(sandbox);
        await using var bystander = await StrayProcesses.StartAsync(sandbox, "sleep", ["3702"], "sleep 3702", cancellationToken: cancellationToken);
        var unrelated = Identity.Of(bystander.Pid);
        var node = $"api{bystander.PidInside}@{FakeBroker.Host}";
        broker.Consuming(node, bystander.PidInside);
        (LauncherConfig.SampleWorkers(1) with { OnWorkerExit = FakeBroker.Hook, Extra = new Dictionary<string, object?> { ["census"] = FakeBroker.Census() } }).WriteTo(sandbox);

        // Act
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(4), launcher.Output);
            Assert.That(launcher.Output, Does.Contain($"beside ours: {node} (pid {bystander.PidInside}, host {FakeBroker.Host}"), launcher.Output);
            Assert.That(launcher.Output, Does.Contain("not the configured program").And.Contain("not provably a stray"), launcher.Output);
            Assert.That(unrelated.IsAlive, Is.True, "the sleep is never signalled");
            Assert.That(broker.HookRuns(), Is.Empty, "a live consumer (fresh heartbeat) is not lost, and nothing was killed");
        });
    }

    [TestCase("fail", "exited 3; its stderr said: redis unreachable at 127.0.0.1:1")]
    [TestCase("hang", "did not finish within 1 s (census.timeoutSeconds) and was killed")]
    [TestCase("garbage", "printed something that is not a census: line 1 is neither a node name (name@host) nor a JSON object: '<html>502 Bad Gateway</html>'")]
    [CancelAfter(120_000)]
    public async Task A_census_that_fails_hangs_or_prints_garbage_fails_the_start_with_exit_4_in_one_clear_line(string mode, string reason, CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var broker = new FakeBroker(sandbox);
        broker.Mode(mode);
        // Only the hanging census gets a short timeout: a python that starts slowly on a loaded machine must not look hung.
        var timeout = mode == "hang" ? 1 : 30;
        (LauncherConfig.SampleWorkers(1) with { Extra = new Dictionary<string, object?> { ["census"] = FakeBroker.Census(timeoutSeconds: timeout) } }).WriteTo(sandbox);

        // Act
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert
        var line = launcher.Output.Split('\n').FirstOrDefault(l => l.Contains("census failed: census command `/usr/bin/python3 ", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(4), launcher.Output);
            Assert.That(line, Does.Contain("census.py").And.Contain(reason), launcher.Output);
            Assert.That(launcher.Output, Does.Not.Contain("Started worker"), "nothing is spawned on a census that cannot be read");
            Assert.That(ProcessProbe.AllPids().Where(pid => ProcessProbe.CommandLine(pid)?.Contains(Path.Combine(sandbox.Dir, "census.py"), StringComparison.Ordinal) == true), Is.Empty,
                "the hanging census was killed");
            Assert.That(sandbox.Survivors(), Is.Empty);
        });
    }

    [Test, CancelAfter(150_000)]
    public async Task A_census_that_fails_or_prints_garbage_while_supervising_is_a_warning_and_stops_nothing(CancellationToken cancellationToken)
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var broker = new FakeBroker(sandbox);
        var config = LauncherConfig.SampleWorkers(1) with { Extra = new Dictionary<string, object?> { ["census"] = FakeBroker.Census(intervalSeconds: 0.5) } };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var worker = Identity.Of(run.Workers.Single().Pid);

        // Act
        broker.Mode("fail");
        await run.WaitForLineAsync("Census failed while supervising (a warning: nothing is stopped for it): census command", cancellationToken);
        broker.Mode("garbage");
        await run.WaitForLineAsync("is not a census: line 1 is neither", cancellationToken);
        string? failure = null;
        await Eventually.TrueAsync(async () =>
        {
            var status = await LauncherCli.RunAsync(sandbox, ["status", "--json"], cancellationToken: cancellationToken);
            using var json = JsonDocument.Parse(status.Stdout);
            failure = json.RootElement.GetProperty("census").GetProperty("failure").GetString();
            return failure is not null;
        }, Deadline, "status shows the failed census", cancellationToken);
        broker.Mode("");
        await run.WaitForLineAsync("Census: the census works again", cancellationToken);
        var workerSurvived = worker.IsAlive;
        var exitCode = await run.StopAsync(cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(failure, Does.Contain("census command"));
            Assert.That(run.Output, Does.Contain("redis unreachable at 127.0.0.1:1"), run.Output);
            Assert.That(workerSurvived, Is.True, "the worker lived through every failed census");
            Assert.That(run.Output.Split('\n').Count(l => l.Contains("Started worker api", StringComparison.Ordinal)), Is.EqualTo(1), "and was never replaced: " + run.Output);
            Assert.That(exitCode, Is.EqualTo(0), run.Output);
        });
    }

    [Test, CancelAfter(120_000)]
    public async Task Each_stale_registration_of_this_host_gets_the_exit_hook_once_with_reason_lost_before_spawning(CancellationToken cancellationToken)
    {
        // Arrange: a fresh pid namespace (a restarted container) where the broker still lists two workers of the
        // previous one (pids that are free here), one without heartbeat and one with an old heartbeat, and another
        // host's worker that is none of our business.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        var broker = new FakeBroker(sandbox);
        var host = FakeBroker.Host;
        broker.Registered($"api31337@{host}", FakeBroker.Json($"api31338@{host}", pid: 31338, heartbeat: "2020-01-01T00:00:00Z"), "api31339@elsewhere-7");
        var config = LauncherConfig.SampleWorkers(1) with { OnWorkerExit = FakeBroker.Hook, Extra = new Dictionary<string, object?> { ["census"] = FakeBroker.Census() } };

        // Act
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var json = await LauncherCli.RunAsync(sandbox, ["status", "--json"], cancellationToken: cancellationToken);

        // Assert
        using var status = JsonDocument.Parse(json.Stdout);
        var lost = status.RootElement.GetProperty("census").GetProperty("lostAtStart").EnumerateArray().Select(n => n.GetProperty("node").GetString());
        Assert.Multiple(() =>
        {
            Assert.That(broker.HookRuns(), Is.EquivalentTo(new[] { $"lost api31337@{host} 31337 code=", $"lost api31338@{host} 31338 code=" }), run.Output);
            Assert.That(run.Output.IndexOf("running onWorkerExit with reason lost", StringComparison.Ordinal), Is.LessThan(run.Output.IndexOf("Started worker", StringComparison.Ordinal)),
                "the hooks run before spawning");
            Assert.That(lost, Is.EquivalentTo(new[] { $"api31337@{host}", $"api31338@{host}" }), json.Stdout);
        });
    }

    [Test, CancelAfter(120_000)]
    public async Task A_registration_with_a_heartbeat_newer_than_the_sweep_is_not_lost_but_a_foreign_duplicate_and_the_start_exits_4(CancellationToken cancellationToken)
    {
        // Arrange: another container with this host name runs a worker named like ours, beating now.
        await using var sandbox = await Sandbox.InPidNamespaceAsync(cancellationToken);
        var broker = new FakeBroker(sandbox);
        var node = $"api31340@{FakeBroker.Host}";
        broker.Registered(FakeBroker.Json(node, pid: 31340, heartbeat: "2099-01-01T00:00:00Z"));
        (LauncherConfig.SampleWorkers(1) with { OnWorkerExit = FakeBroker.Hook, Extra = new Dictionary<string, object?> { ["census"] = FakeBroker.Census() } }).WriteTo(sandbox);

        // Act
        await using var launcher = LauncherProcess.Start(sandbox, ["run"]);
        var exitCode = await launcher.WaitForExitAsync(Deadline, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(4), launcher.Output);
            Assert.That(broker.HookRuns(), Is.Empty, "never cleaned as ours");
            Assert.That(launcher.Output, Does.Contain($"beside ours: {node} (pid 31340"), launcher.Output);
            Assert.That(launcher.Output, Does.Contain("no process 31340 runs on this machine"), launcher.Output);
        });
    }
}
