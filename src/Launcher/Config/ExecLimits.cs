using System.Text;
using Launcher.Exceptions;

namespace Launcher.Config;

/// <summary>
/// What <c>execve(2)</c> refuses, checked on the config so that it is exit 2 naming the key instead of a worker that
/// can never start: one argument or "NAME=value" string longer than MAX_ARG_STRLEN (32 pages = 131072 bytes with its
/// NUL; E2BIG), one with a NUL byte inside (C strings end there, so the worker would get a different argument),
/// or arguments and environment together over <see cref="MaxTotalBytes"/> (the kernel allows a quarter of the stack
/// limit, usually 2 MiB, for all of them and the inherited environment).
/// </summary>
internal static class ExecLimits
{
    /// <summary>MAX_ARG_STRLEN in linux/binfmts.h, counting the terminating NUL.</summary>
    public const int MaxArgumentBytes = 131_072;

    /// <summary>Half the usual ARG_MAX (RLIMIT_STACK / 4 = 2 MiB): the rest is left for the inherited environment.</summary>
    public const int MaxTotalBytes = 1024 * 1024;

    // The longest text a placeholder can become: a host name (HOST_NAME_MAX 64), a pid (pid_max up to 2^22),
    // a node name api<pid>@<host>. {configDir}, {launcherDir} and {instance} are known and filled in exactly.
    private static readonly Dictionary<string, string> WorstCase = new(StringComparer.Ordinal)
    {
        ["host"] = new string('h', 64),
        ["pid"] = "4194304",
        ["node"] = "api4194304@" + new string('h', 64),
        ["index"] = "255",
    };

    /// <summary>Throws naming <paramref name="key"/>[i] when argument i could not be passed to execve.</summary>
    public static void CheckArguments(string key, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> known)
    {
        for (var i = 0; i < arguments.Count; i++)
            Check($"{key}[{i}]", CommandTemplate.Expand(CommandTemplate.Expand(arguments[i], known), WorstCase), "an argument");
    }

    /// <summary>Throws naming <paramref name="key"/> when the command and the configured environment together are too big for one execve.</summary>
    public static void CheckTotal(string key, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> known, IReadOnlyDictionary<string, string> environment)
    {
        // Each string is copied with its NUL, and each needs a pointer in the argv or envp array.
        var total = arguments.Sum(a => (long)Encoding.UTF8.GetByteCount(CommandTemplate.Expand(CommandTemplate.Expand(a, known), WorstCase)) + 1 + IntPtr.Size)
            + environment.Sum(e => (long)Encoding.UTF8.GetByteCount(e.Key) + Encoding.UTF8.GetByteCount(e.Value) + 2 + IntPtr.Size);
        if (total > MaxTotalBytes)
            throw new ConfigException(key, $"and environment together take {total} bytes; at most {MaxTotalBytes} fit in one execve(2) beside the inherited environment (E2BIG)");
    }

    /// <summary>Throws naming <c>environment.NAME</c> when "NAME=value" could not be passed to execve.</summary>
    public static void CheckEnvironment(string key, IReadOnlyDictionary<string, string> environment)
    {
        foreach (var (name, value) in environment)
            Check($"{key}.{name}", name + "=" + value, "a variable");
    }

    private static void Check(string at, string text, string what)
    {
        if (text.Contains('\0', StringComparison.Ordinal))
            throw new ConfigException(at, $"contains a NUL character, which {what} of execve(2) cannot carry");
        var bytes = Encoding.UTF8.GetByteCount(text) + 1;
        if (bytes > MaxArgumentBytes)
            throw new ConfigException(at, $"is {bytes} bytes long; the kernel refuses {what} over {MaxArgumentBytes} bytes (MAX_ARG_STRLEN, execve(2) E2BIG)");
    }
}
