using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;
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

    public static int Run(string[] args, IContainment containment)
    {
        if (args.Length < 3 || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var launcherPid))
        {
            Console.Error.WriteLine("launcher __exec: internal verb; usage: launcher __exec <launcher-pid> <program> [args...]");
            return 2;
        }

        containment.PrepareWorker(launcherPid);

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

        var errno = Exec(argv, environment);
        Console.Error.WriteLine($"launcher: cannot start '{argv[0]}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        return 127;
    }

    // Returns only when execve failed, with its errno.
    private static unsafe int Exec(string[] argv, List<string> environment)
    {
        var allocated = new List<nint>();
        byte* Utf8(string s)
        {
            var p = Marshal.StringToCoTaskMemUTF8(s);
            allocated.Add(p);
            return (byte*)p;
        }

        var argvPointers = stackalloc byte*[argv.Length + 1];
        for (var i = 0; i < argv.Length; i++)
            argvPointers[i] = Utf8(argv[i]);
        argvPointers[argv.Length] = null;

        var envPointers = (byte**)NativeMemory.Alloc((nuint)(environment.Count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < environment.Count; i++)
            envPointers[i] = Utf8(environment[i]);
        envPointers[environment.Count] = null;

        LibC.ExecVe(argvPointers[0], argvPointers, envPointers);
        var errno = Marshal.GetLastPInvokeError();

        NativeMemory.Free(envPointers);
        foreach (var p in allocated)
            Marshal.FreeCoTaskMem(p);
        return errno;
    }
}
