using System.Text.RegularExpressions;
using Launcher.Config.Schema;
using Launcher.Exceptions;
using Launcher.Platform;

namespace Launcher.Config;

/// <summary>
/// Validates one argv key (<c>command</c>, <c>ping.command</c>, <c>onWorkerExit.command</c>): known placeholders,
/// arguments execve can carry, and a program that resolves to an executable file, as <c>execvp(3)</c> would find it.
/// </summary>
internal sealed partial class CommandValidator(
    string baseDirectory,
    IReadOnlyDictionary<string, string> placeholders,
    IReadOnlyDictionary<string, string> environment,
    IConfigFileSystem files,
    bool checkFileSystem)
{
    /// <summary>The validated command of <paramref name="key"/>, or null when it is not set.</summary>
    public CommandTemplate? Validate(TextListKey key, ConfigValues values)
    {
        var argv = values.Get(key);
        if (argv.Count == 0)
            return null;
        var at0 = key.Path + "[0]";
        if (string.IsNullOrWhiteSpace(argv[0]))
            throw new ConfigException(at0, "the program name is empty");

        for (var i = 0; i < argv.Count; i++)
        {
            foreach (Match match in Placeholder().Matches(argv[i]))
            {
                if (!CommandTemplate.Placeholders.Contains(match.Groups[1].Value))
                    throw new ConfigException($"{key.Path}[{i}]", $"unknown placeholder {match.Value}; known: {{{string.Join("}, {", CommandTemplate.Placeholders)}}}");
            }
        }

        ExecLimits.CheckArguments(key.Path, argv, placeholders);
        ExecLimits.CheckTotal(key.Path, argv, placeholders, environment);

        var program = CommandTemplate.Expand(argv[0], placeholders);
        var hasSlash = WindowsProgramNames.HasDirectory(program);
        var resolved = Resolve(program);
        if (resolved is null && checkFileSystem)
        {
            var path = Path.GetFullPath(program, baseDirectory);
            if (hasSlash && files.KindOf(path) == FileKind.RegularFile)
                throw new ConfigException(at0, $"{path} is not executable (chmod +x it)");
            throw new ConfigException(at0, hasSlash
                ? $"no such executable file: {path} (run scripts/build.sh if it is the sample worker)"
                : $"'{program}' was not found on PATH");
        }

        // The read-only commands keep a program that is gone (a clean rebuild): they only need the spec's other keys.
        resolved ??= hasSlash ? Path.GetFullPath(program, baseDirectory) : program;
        return new CommandTemplate([resolved, .. argv.Skip(1)]);
    }

    /// <summary>A path with a slash is relative to the config file; a bare name is looked up on PATH.</summary>
    private string? Resolve(string program)
    {
        if (WindowsProgramNames.HasDirectory(program))
            return WindowsProgramNames.Candidates(Path.GetFullPath(program, baseDirectory)).FirstOrDefault(IsExecutableFile);

        foreach (var directory in files.SearchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            // As execvp does: a file without execute permission is passed over for the next PATH entry.
            foreach (var name in WindowsProgramNames.Candidates(program))
            {
                var candidate = Path.Combine(directory, name);
                if (IsExecutableFile(candidate))
                    return candidate;
            }
        }

        return null;
    }

    private bool IsExecutableFile(string path) => files.KindOf(path) == FileKind.RegularFile && files.IsExecutable(path);

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Placeholder();
}
