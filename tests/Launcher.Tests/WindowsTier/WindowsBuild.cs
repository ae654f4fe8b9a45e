using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests.WindowsTier;

/// <summary>
/// The win-x64 build that scripts/test-windows.sh publishes (<c>artifacts/windows/launcher/launcher.exe</c>,
/// <c>artifacts/windows/sampleworker/SampleWorker.exe</c>, or <c>LAUNCHER_WINDOWS_ARTIFACTS</c>), started under Wine on
/// Linux and directly on Windows. Without the build, or on Linux without wine64, every Windows-tier test is
/// skipped with the reason (never silently).
/// </summary>
internal static class WindowsBuild
{
    public const string Category = "windows-tier";

    public static string Dir =>
        Environment.GetEnvironmentVariable("LAUNCHER_WINDOWS_ARTIFACTS") is { Length: > 0 } dir ? dir : Path.Combine(Repo.Root, "artifacts", "windows");

    public static string LauncherExe => Path.Combine(Dir, "launcher", "launcher.exe");

    public static string SampleWorkerExe => Path.Combine(Dir, "sampleworker", "SampleWorker.exe");

    /// <summary>Wine's loader on Linux; null on Windows or when wine64 is not installed.</summary>
    public static string? Wine => OperatingSystem.IsWindows()
        ? null
        : new[] { "/usr/lib/wine/wine64", "/usr/bin/wine64", "/usr/bin/wine" }.FirstOrDefault(File.Exists);

    /// <summary>Skips the test (with the reason) when the tier cannot run here.</summary>
    public static void RequireOrIgnore()
    {
        if (!File.Exists(LauncherExe) || !File.Exists(SampleWorkerExe))
            Assert.Ignore($"windows-tier: no win-x64 build in {Dir} (scripts/test-windows.sh publishes it)");
        if (!OperatingSystem.IsWindows() && Wine is null)
            Assert.Ignore("windows-tier: wine64 is not installed (scripts/test-windows.sh installs it)");
    }

    /// <summary>A Linux path as the Windows program sees it (Wine maps / to drive Z:); unchanged on Windows.</summary>
    public static string WindowsPath(string path) => OperatingSystem.IsWindows() ? path : "Z:" + path.Replace('/', '\\');

    /// <summary>Writes a launcher.json for <paramref name="workers"/> SampleWorker.exe with <paramref name="flags"/>.</summary>
    public static string WriteConfig(Sandbox sandbox, int workers, params string[] flags)
    {
        var command = new JsonArray(JsonValue.Create(WindowsPath(SampleWorkerExe)), JsonValue.Create("--tick-seconds"), JsonValue.Create("1"));
        foreach (var flag in flags)
            command.Add(JsonValue.Create(flag));
        return sandbox.WriteConfig(new JsonObject
        {
            ["instance"] = sandbox.Instance,
            ["command"] = command,
            ["workers"] = workers,
            ["logDir"] = "logs",
            ["startTimeoutSeconds"] = 120,
            ["stopGraceSeconds"] = 10,
        });
    }

    /// <summary>Starts launcher.exe with <paramref name="arguments"/> in the sandbox, tracked for cleanup.</summary>
    public static WindowsProcess StartLauncher(Sandbox sandbox, params string[] arguments) =>
        Start(sandbox, LauncherExe, arguments, new Dictionary<string, string>());

    /// <summary>Starts a program of the build (SampleWorker.exe) with extra environment, tracked for cleanup.</summary>
    public static WindowsProcess Start(Sandbox sandbox, string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(Wine ?? program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = sandbox.Dir,
        };
        if (Wine is not null)
            start.ArgumentList.Add(program);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["LAUNCHER_RUNTIME_DIR"] = WindowsPath(sandbox.RuntimeDir);
        // Wine: no debugger on a crash, no noise, and .NET's W^X double mapping off (it crashes the JIT under Wine 8).
        start.Environment["WINEDEBUG"] = "-all";
        start.Environment["WINEDLLOVERRIDES"] = "winedbg.exe=d";
        start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        if (Environment.GetEnvironmentVariable("WINEPREFIX") is null)
            start.Environment["WINEPREFIX"] = Path.Combine(Dir, "wineprefix");
        foreach (var (name, value) in environment)
            start.Environment[name] = value;

        var process = new WindowsProcess(Process.Start(start)!);
        sandbox.Processes.Track(process.Process.Id);
        return process;
    }

    /// <summary>
    /// Live Linux processes running this build's SampleWorker.exe (Wine shows the Windows command line). Exact while
    /// the tier runs alone, as scripts/test-windows.sh runs it; on Windows, the given pids that still run.
    /// </summary>
    public static IReadOnlyList<int> LiveSampleWorkers(Sandbox sandbox)
    {
        var exe = WindowsPath(SampleWorkerExe);
        return ProcessProbe.AllPids()
            .Where(pid => ProcessProbe.IsAlive(pid)
                && (ProcessProbe.CommandLine(pid)?.StartsWith(exe, StringComparison.Ordinal) == true
                    || ProcessProbe.PidsWithMarker(sandbox.Instance).Contains(pid)))
            .ToList();
    }
}
