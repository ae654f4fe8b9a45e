using System.Diagnostics;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests.WindowsTier;

/// <summary>
/// Issue 15, item 3: `launcher service install --windows` and `launcher run` under the service control manager, in
/// Wine's SCM (services.exe, sc.exe) in a prefix of the test's own (<see cref="WineServicePrefix"/>). On Windows the
/// test is skipped: it would create a real service, machine-wide, from an elevated prompt.
/// </summary>
[TestFixture]
[Category(WindowsBuild.Category)]
[NonParallelizable]
public sealed class WindowsServiceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(150);

    [Test, CancelAfter(420_000)]
    public async Task An_installed_service_is_running_only_after_its_workers_answer_sc_stop_leaves_no_worker_and_a_failed_run_is_its_exit_code(CancellationToken cancellationToken)
    {
        // Arrange
        WindowsBuild.RequireOrIgnore();
        if (WindowsBuild.Wine is null)
            Assert.Ignore("windows-tier: on Windows this test would install a real service (elevated, machine-wide); it runs under Wine, in a prefix of its own");
        var clock = Stopwatch.StartNew();
        await using var sandbox = new Sandbox();
        // Workers that answer 3 s after they start: a service that said RUNNING before verification is caught saying it.
        var config = WindowsBuild.WindowsPath(WindowsBuild.WriteConfig(sandbox, 2, "--ready-delay", "3"));
        var runtimeDir = WindowsBuild.WindowsPath(sandbox.RuntimeDir);
        await using var wine = await WineServicePrefix.CreateAsync(sandbox,
            new Dictionary<string, string> { ["DOTNET_EnableWriteXorExecute"] = "0", ["LAUNCHER_RUNTIME_DIR"] = runtimeDir }, cancellationToken);
        var prefixReady = clock.Elapsed;
        var name = "launcher-" + sandbox.Instance;
        string[] install = [WindowsBuild.LauncherExe, "service", "install", "--windows", "--config", config];
        var installed = false;
        try
        {
            // Act: install (again: unchanged; from another config file: refused), start, watch, stop, start with a broken config, delete.
            var first = await wine.WineAsync(install[0], install[1..], cancellationToken, new Dictionary<string, string> { ["LAUNCHER_RUNTIME_DIR"] = runtimeDir });
            installed = true;
            // The same instance from another config file: another command line for the same service name.
            var otherConfig = Path.Combine(sandbox.Dir, "other-launcher.json");
            File.Copy(sandbox.ConfigPath, otherConfig);
            // Both only read the service: run side by side (each is a .NET start under Wine).
            var againTask = wine.WineAsync(install[0], install[1..], cancellationToken, new Dictionary<string, string> { ["LAUNCHER_RUNTIME_DIR"] = runtimeDir });
            var otherTask = wine.WineAsync(install[0], [.. install[1..^1], WindowsBuild.WindowsPath(otherConfig)], cancellationToken);
            var (again, other) = (await againTask, await otherTask);
            Assert.Multiple(() =>
            {
                Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
                Assert.That(first.Stdout, Does.Contain($"installed service {name}: ").And.Contain($"--windows-service {name}"), first.ToString());
                Assert.That(again.ExitCode, Is.EqualTo(0), again.ToString());
                Assert.That(again.Stdout, Does.Contain($"service {name} is already this service"), again.ToString());
                Assert.That(other.ExitCode, Is.EqualTo(2), other.ToString());
                Assert.That(other.Stderr, Does.Contain($"service {name} exists with another command line or environment"), other.ToString());
            });

            var installsDone = clock.Elapsed;
            var start = await wine.WineAsync("sc.exe", ["start", name], cancellationToken);
            var seen = new List<int>();
            var state = await wine.QueryAsync(name, cancellationToken);
            while (state.State != ServiceState.Running && clock.Elapsed < Deadline)
            {
                seen.Add(state.State);
                Assert.That(state.State, Is.EqualTo(ServiceState.StartPending), $"before RUNNING the service is START_PENDING\n{start}\n{state.Output}\n{LauncherLog(sandbox)}");
                state = await wine.QueryAsync(name, cancellationToken);
            }

            // Read after the SCM said RUNNING: by then the run must have verified both workers.
            var log = LauncherLog(sandbox);
            var registrations = SpineFacts.RegistryEntries(sandbox).Count(entry => entry.EndsWith(".json", StringComparison.Ordinal));
            var workers = WindowsBuild.LiveSampleWorkers(sandbox);
            var toRunning = clock.Elapsed;
            Assert.Multiple(() =>
            {
                Assert.That(state.State, Is.EqualTo(ServiceState.Running), $"{start}\n{state.Output}\n{log}");
                Assert.That(log, Does.Contain("ready: 2/2 workers verified"), "RUNNING only after the ready line");
                Assert.That(registrations, Is.EqualTo(2), "both workers registered when the SCM says RUNNING");
                Assert.That(workers, Has.Count.EqualTo(2), "two SampleWorker processes");
            });

            var stopAt = clock.Elapsed;
            await wine.WineAsync("sc.exe", ["stop", name], cancellationToken);
            state = await wine.QueryAsync(name, cancellationToken);
            while (state.State != ServiceState.Stopped && clock.Elapsed < Deadline * 2)
                state = await wine.QueryAsync(name, cancellationToken);
            Assert.That((state.State, state.Win32ExitCode, state.ServiceExitCode), Is.EqualTo((ServiceState.Stopped, 0, 0)), $"a clean stop\n{state.Output}\n{LauncherLog(sandbox)}");
            await Eventually.TrueAsync(() => workers.All(pid => !ProcessProbe.IsAlive(pid)), TimeSpan.FromSeconds(30), "every worker gone after sc stop", cancellationToken);

            var stopped = clock.Elapsed;
            // A run that fails (here: the config no longer parses) stops the service with its exit code, service-specific.
            await File.WriteAllTextAsync(sandbox.ConfigPath, "{ \"instance\": ", cancellationToken);
            await wine.WineAsync("sc.exe", ["start", name], cancellationToken);
            var failed = await wine.QueryAsync(name, cancellationToken);
            while (!(failed.State == ServiceState.Stopped && failed.Win32ExitCode != 0) && clock.Elapsed < Deadline * 2)
                failed = await wine.QueryAsync(name, cancellationToken);
            Assert.That((failed.State, failed.Win32ExitCode, failed.ServiceExitCode), Is.EqualTo((ServiceState.Stopped, 1066, 2)),
                $"ERROR_SERVICE_SPECIFIC_ERROR with exit code 2\n{failed.Output}");

            var delete = await wine.WineAsync("sc.exe", ["delete", name], cancellationToken);
            installed = false;
            var gone = await wine.QueryAsync(name, cancellationToken);
            Assert.That(gone.State, Is.EqualTo(-1), $"deleted\n{delete}\n{gone.Output}");
            TestContext.Out.WriteLine($"windows-tier: service test {clock.Elapsed.TotalSeconds:F1} s: prefix copy and boot {prefixReady.TotalSeconds:F1} s, " +
                $"3 installs {(installsDone - prefixReady).TotalSeconds:F1} s, sc start -> RUNNING {(toRunning - installsDone).TotalSeconds:F1} s, " +
                $"sc stop -> STOPPED {(stopped - stopAt).TotalSeconds:F1} s, failed run and delete {(clock.Elapsed - stopped).TotalSeconds:F1} s");
        }
        finally
        {
            if (installed)
            {
                await wine.WineAsync("sc.exe", ["stop", name], CancellationToken.None);
                await wine.WineAsync("sc.exe", ["delete", name], CancellationToken.None);
            }
        }
    }

    private static string LauncherLog(Sandbox sandbox)
    {
        var path = Path.Combine(sandbox.LogDir, "launcher.log");
        if (!File.Exists(path))
            return "(no launcher.log)";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }
}
