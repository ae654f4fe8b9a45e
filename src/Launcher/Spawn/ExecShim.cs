using System.Collections;
using System.Globalization;
using Launcher.Agent.Protocol;
using Launcher.Config;
using Launcher.Platform;

namespace Launcher.Spawn;

/// <summary>
/// The launcher binary re-invoked as <c>launcher __exec &lt;launcher-pid&gt; &lt;argv...&gt;</c> in every new worker.
/// Before it <c>execve(2)</c>s the real program it arms the parent-death signal, re-checks that the launcher is
/// still its parent (closing the race where the launcher dies first), takes its own process group, and fills in
/// <c>{pid}</c> and <c>{node}</c>: a process keeps its pid across exec, so no shell is needed.
/// </summary>
internal static class ExecShim
{
    public const string Verb = "__exec";

    public static int Run(string[] args, PlatformServices platform)
    {
        if (args.Length < 3 || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var launcherPid))
        {
            Console.Error.WriteLine("launcher __exec: internal verb; usage: launcher __exec <launcher-pid> <program> [args...]");
            return 2;
        }

        platform.Containment.PrepareWorker(launcherPid);
        CgroupJoin.FromEnvironment();

        var pid = Environment.ProcessId;
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["pid"] = pid.ToString(CultureInfo.InvariantCulture),
            ["node"] = SelfIdentity.NodeName(pid),
        };
        var argv = args.Skip(2).Select(a => CommandTemplate.Expand(a, values)).ToArray();

        var environment = new List<string>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if ((string)entry.Key != EnvironmentNames.Node)
                environment.Add($"{entry.Key}={entry.Value}");
        }

        environment.Add($"{EnvironmentNames.Node}={values["node"]}");

        var problem = platform.Program.Replace(argv, environment);
        Console.Error.WriteLine($"launcher: cannot start '{argv[0]}': {problem}");
        return 127;
    }
}
