using System.Collections;
using Launcher.Platform;

namespace Launcher.Spawn;

/// <summary>
/// <c>launcher __contained &lt;program&gt; [args...]</c>: how hooks and ping commands start. Before it
/// <c>execve(2)</c>s the program it takes a process group of its own (setpgid(2)) and joins the cgroup the
/// launcher named, so whatever the command leaves behind (a background child holding its stdout, a daemon) can be
/// found and killed once the command itself has exited. Unlike the worker shim it expands nothing and arms no
/// parent-death signal (hooks run from pool threads, whose exit would fire it).
/// </summary>
internal static class ContainedExec
{
    public const string Verb = "__contained";

    public static int Run(string[] args, PlatformServices platform)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("launcher __contained: internal verb; usage: launcher __contained <program> [args...]");
            return 2;
        }

        platform.Containment.PrepareContainedCommand();
        CgroupJoin.FromEnvironment();

        var environment = new List<string>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            environment.Add($"{entry.Key}={entry.Value}");
        var argv = args[1..];
        var problem = platform.Program.Replace(argv, environment);
        Console.Error.WriteLine($"launcher: cannot start '{argv[0]}': {problem}");
        return 127;
    }
}
