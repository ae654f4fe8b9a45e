using System.Collections;
using System.Runtime.Versioning;
using Launcher.Platform;

namespace Launcher.Spawn;

/// <summary>
/// <c>launcher-companion __contained &lt;program&gt; [args...]</c> (or the launcher binary with that verb): how hooks and
/// ping commands start. Before it <c>execve(2)</c>s the program it takes a process group of its own (setpgid(2)) and
/// joins the cgroup the launcher named, so whatever the command leaves behind (a background child holding its
/// stdout, a daemon) can be found and killed once the command itself has exited. Unlike the worker shim it expands
/// nothing and arms no parent-death signal (hooks run from pool threads, whose exit would fire it).
/// </summary>
[SupportedOSPlatform("linux")]
internal static class ContainedExec
{
    public const string Verb = HelperVerbs.Contained;

    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("launcher __contained: internal verb; usage: launcher __contained <program> [args...]");
            return 2;
        }

        LinuxShimSteps.PrepareContainedCommand();
        CgroupJoin.FromEnvironment();

        var environment = new List<string>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            environment.Add($"{entry.Key}={entry.Value}");
        var argv = args[1..];
        var problem = new LinuxProgramImage().Replace(argv, environment);
        Console.Error.WriteLine($"launcher: cannot start '{argv[0]}': {problem}");
        return 127;
    }
}
