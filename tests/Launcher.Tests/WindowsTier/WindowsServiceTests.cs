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
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Test, CancelAfter(240_000)]
    public async Task An_installed_service_is_running_only_after_its_workers_answer_and_sc_stop_leaves_no_worker(CancellationToken cancellationToken)
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
        var name = "launcher-" + sandbox.Instance;
        string[] install = [WindowsBuild.LauncherExe, "service", "install", "--windows", "--config", config];
        var installed = false;
        try
        {
            // Act: install (again: unchanged; from another config file: refused), start, watch, stop, delete.
            var first = await wine.WineAsync(install[0], install[1..], cancellationToken, new Dictionary<string, string> { ["LAUNCHER_RUNTIME_DIR"] = runtimeDir });
            installed = true;
            var again = await wine.WineAsync(install[0], install[1..], cancellationToken, new Dictionary<string, string> { ["LAUNCHER_RUNTIME_DIR"] = runtimeDir });
            // The same instance from another config file: another command line for the same service name.
            var otherConfig = Path.Combine(sandbox.Dir, "other-launcher.json");
            File.Copy(sandbox.ConfigPath, otherConfig);
            var other = await wine.WineAsync(install[0], [.. install[1..^1], WindowsBuild.WindowsPath(otherConfig)], cancellationToken);
            Assert.Multiple(() =>
            {
                Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
                Assert.That(first.Stdout, Does.Contain($"installed service {name}: ").And.Contain($"--windows-service {name}"), first.ToString());
                Assert.That(again.ExitCode, Is.EqualTo(0), again.ToString());
                Assert.That(again.Stdout, Does.Contain($"service {name} is already this service"), again.ToString());
                Assert.That(other.ExitCode, Is.EqualTo(2), other.ToString());
                Assert.That(other.Stderr, Does.Contain($"service {name} exists with another command line or environment"), other.ToString());
            });

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

            await wine.WineAsync("sc.exe", ["stop", name], cancellationToken);
            state = await wine.QueryAsync(name, cancellationToken);
            while (state.State != ServiceState.Stopped && clock.Elapsed < Deadline * 2)
                state = await wine.QueryAsync(name, cancellationToken);
            Assert.That((state.State, state.Win32ExitCode, state.ServiceExitCode), Is.EqualTo((ServiceState.Stopped, 0, 0)), $"a clean stop\n{state.Output}\n{LauncherLog(sandbox)}");
            await Eventually.TrueAsync(() => workers.All(pid => !ProcessProbe.IsAlive(pid)), TimeSpan.FromSeconds(30), "every worker gone after sc stop", cancellationToken);

            var delete = await wine.WineAsync("sc.exe", ["delete", name], cancellationToken);
            installed = false;
            var gone = await wine.QueryAsync(name, cancellationToken);
            Assert.That(gone.State, Is.EqualTo(-1), $"deleted\n{delete}\n{gone.Output}");
            TestContext.Out.WriteLine($"windows-tier: service RUNNING {toRunning.TotalSeconds:F1} s after the test began (prefix copy and 3 installs included); whole test {clock.Elapsed.TotalSeconds:F1} s");
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
