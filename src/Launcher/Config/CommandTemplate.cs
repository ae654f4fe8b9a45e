namespace Launcher.Config;

/// <summary>
/// An argv array from config with placeholders. <c>{host}</c>, <c>{instance}</c>, <c>{index}</c> and
/// <c>{configDir}</c> are filled in by the launcher; <c>{pid}</c> and <c>{node}</c> only by the exec shim in
/// the worker itself, where the pid is known because a process keeps its pid across <c>execve(2)</c>.
/// Never joined into a shell string.
/// </summary>
internal sealed record CommandTemplate(IReadOnlyList<string> Arguments)
{
    public static readonly IReadOnlySet<string> Placeholders =
        new HashSet<string>(StringComparer.Ordinal) { "pid", "node", "host", "instance", "index", "configDir", "launcherDir" };

    public string Program => Arguments[0];

    /// <summary>Fills the placeholders named in <paramref name="values"/>; others are left for a later stage.</summary>
    public IReadOnlyList<string> Expand(IReadOnlyDictionary<string, string> values) =>
        Arguments.Select(argument => Expand(argument, values)).ToArray();

    public static string Expand(string argument, IReadOnlyDictionary<string, string> values)
    {
        if (!argument.Contains('{', StringComparison.Ordinal))
            return argument;
        foreach (var (name, value) in values)
            argument = argument.Replace("{" + name + "}", value, StringComparison.Ordinal);
        return argument;
    }

    public override string ToString() => string.Join(' ', Arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));
}
