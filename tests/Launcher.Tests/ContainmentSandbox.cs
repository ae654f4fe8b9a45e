using System.Globalization;
using System.Security.Cryptography;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>What the containment tests share: their sandbox, the containment switch, unique helper processes and the cgroups they see.</summary>
internal static class ContainmentSandbox
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>True when this machine gives the launcher a writable cgroup v2 hierarchy (root here, and in CI).</summary>
    public static bool CgroupsWritable => CgroupMount() is { } mount && NativeAccessWritable(Path.Join(mount, OwnCgroup()));

    /// <summary>
    /// A sandbox for a test of a kill path, in a pid namespace of its own (so a bug can only reach the test's own
    /// processes); <paramref name="containment"/> Cgroup skips the test where cgroups are not writable. The cgroup
    /// hierarchy is not namespaced: the launcher inside still creates its subtree beside the test's own cgroup.
    /// </summary>
    public static Task<Sandbox> CreateAsync(CancellationToken cancellationToken, KernelContainmentTests.Containment? containment = null)
    {
        if (containment == KernelContainmentTests.Containment.Cgroup && !CgroupsWritable)
            Assert.Ignore("no writable cgroup v2 hierarchy here");
        return Sandbox.InPidNamespaceAsync(cancellationToken);
    }

    /// <summary>Writes the sandbox's config: <paramref name="workers"/> x <paramref name="command"/>, with optional ping and hook sections.</summary>
    public static string WriteConfig(Sandbox sandbox, int workers, string[] command, object? ping = null, object? onWorkerExit = null, double stopGraceSeconds = 10) =>
        new LauncherConfig
        {
            Command = command,
            Workers = workers,
            Ping = ping,
            OnWorkerExit = onWorkerExit,
            StopGraceSeconds = stopGraceSeconds,
        }.WriteTo(sandbox);

    /// <summary>The launcher's environment for <paramref name="containment"/>: <c>LAUNCHER_CONTAINMENT=fallback</c> or nothing.</summary>
    public static IReadOnlyDictionary<string, string?>? Environment(KernelContainmentTests.Containment containment) =>
        containment == KernelContainmentTests.Containment.Fallback
            ? new Dictionary<string, string?>(StringComparer.Ordinal) { ["LAUNCHER_CONTAINMENT"] = "fallback" }
            : null;

    /// <summary>A <c>sleep N</c> command line no other test runs (N random), to find the helper by.</summary>
    public static string UniqueSleep() => "sleep " + (100_000 + RandomNumberGenerator.GetInt32(800_000)).ToString(CultureInfo.InvariantCulture);

    /// <summary>Waits until <paramref name="count"/> live processes run exactly <paramref name="commandLine"/>; tracks and returns them.</summary>
    public static async Task<IReadOnlyList<int>> WaitForAsync(Sandbox sandbox, string commandLine, CancellationToken cancellationToken, int count = 1)
    {
        IReadOnlyList<int> found = [];
        await Eventually.TrueAsync(
            () => (found = Running(commandLine)).Count == count, Deadline, $"{count} process(es) `{commandLine}` run", cancellationToken);
        foreach (var pid in found)
            sandbox.Processes.Track(pid);
        return found;
    }

    /// <summary>Live processes whose command line is exactly <paramref name="commandLine"/>.</summary>
    public static IReadOnlyList<int> Running(string commandLine) =>
        ProcessProbe.AllPids().Where(pid => ProcessProbe.CommandLine(pid) == commandLine && ProcessProbe.IsAlive(pid)).ToList();

    /// <summary>The cgroup v2 path of a process (<c>0::</c> line of /proc/&lt;pid&gt;/cgroup).</summary>
    public static string CgroupOf(int pid) =>
        File.ReadAllLines($"/proc/{pid}/cgroup").FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..] ?? "";

    /// <summary>The cgroup directories of <paramref name="instance"/>'s launchers below this process's own cgroup.</summary>
    public static IReadOnlyList<string> CgroupDirectories(string instance) =>
        CgroupMount() is { } mount && Directory.Exists(Path.Join(mount, OwnCgroup()))
            ? Directory.GetDirectories(Path.Join(mount, OwnCgroup()), $"launcher-{instance}-*")
            : [];

    private static string OwnCgroup() => CgroupOf(System.Environment.ProcessId);

    private static string? CgroupMount() =>
        File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')).FirstOrDefault(f => f.Length > 2 && f[2] == "cgroup2")?[1];

    private static bool NativeAccessWritable(string directory) =>
        Directory.Exists(directory) && System.Environment.UserName == "root";
}
