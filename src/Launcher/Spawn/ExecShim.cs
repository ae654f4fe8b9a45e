using System.Collections;
using System.Globalization;
using System.Runtime.Versioning;
using Launcher.Agent.Protocol;
using Launcher.Config;
using Launcher.Platform;

namespace Launcher.Spawn;

/// <summary>
/// <c>launcher-companion __exec &lt;launcher-pid&gt; &lt;argv...&gt;</c> (or the launcher binary itself with that verb,
/// when no companion is beside it) in every new worker. Before it <c>execve(2)</c>s the real program it arms the
/// parent-death signal, re-checks that the launcher is still its parent (closing the race where the launcher dies
/// first), takes its own process group, and fills in <c>{pid}</c> and <c>{node}</c>: a process keeps its pid across
/// exec, so no shell is needed. Compiled into both binaries; see <see cref="SelfInvocation.Companion"/>.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class ExecShim
{
    public const string Verb = HelperVerbs.Exec;

    public static int Run(string[] args)
    {
        if (args.Length < 3 || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var launcherPid))
        {
            Console.Error.WriteLine("launcher __exec: internal verb; usage: launcher __exec <launcher-pid> <program> [args...]");
            return 2;
        }

        LinuxShimSteps.PrepareWorker(launcherPid);
        CgroupJoin.FromEnvironment();

        var pid = Environment.ProcessId;
        var node = SelfIdentity.NodeName(pid);
        var argv = WorkerArgv(args[2..], pid, node);

        var environment = new List<string>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if ((string)entry.Key != EnvironmentNames.Node)
                environment.Add($"{entry.Key}={entry.Value}");
        }

        environment.Add($"{EnvironmentNames.Node}={node}");

        var problem = new LinuxProgramImage().Replace(argv, environment);
        Console.Error.WriteLine($"launcher: cannot start '{argv[0]}': {problem}");
        return 127;
    }

    /// <summary>
    /// The worker's argv as it runs: <c>{pid}</c> and <c>{node}</c> filled in with its own pid and node name, which
    /// only the worker's process knows (the shim, or the launcher's vfork child through <c>Platform/ExecTemplate</c>).
    /// </summary>
    public static string[] WorkerArgv(IReadOnlyList<string> argv, int pid, string node)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["pid"] = pid.ToString(CultureInfo.InvariantCulture),
            ["node"] = node,
        };
        var expanded = new string[argv.Count];
        for (var i = 0; i < expanded.Length; i++)
            expanded[i] = CommandTemplate.Expand(argv[i], values);
        return expanded;
    }
}
