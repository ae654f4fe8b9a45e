using System.Text.RegularExpressions;
using Launcher.Config.Schema;
using Launcher.Exceptions;
using Launcher.Platform;

namespace Launcher.Config;

/// <summary>
/// Turns type-checked <see cref="ConfigValues"/> into the immutable <see cref="LauncherSpec"/>: ranges beyond a
/// type, placeholders, what execve can carry, and (when <c>checkFileSystem</c>) that the programs exist and logDir
/// could be created. A pure function of its arguments: the machine is seen only through <see cref="IConfigFileSystem"/>.
/// Every failure is a <see cref="ConfigException"/> naming the key; nothing is created, started or killed.
/// </summary>
internal static partial class ConfigValidator
{
    private static readonly string[] ReservedInstanceSuffixes = [".lock", ".json", ".tmp"];

    /// <summary>
    /// Validates <paramref name="values"/>. Without <paramref name="checkFileSystem"/> (the read-only commands) the
    /// worker program, workingDirectory and logDir need not exist: a running launcher must stay reachable after a
    /// clean rebuild removed its worker binary.
    /// </summary>
    public static LauncherSpec Validate(ConfigValues values, string baseDirectory, string description, IConfigFileSystem files, bool checkFileSystem)
    {
        var instance = values.Get(ConfigSchema.Instance);
        CheckInstance(instance);

        var placeholders = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["configDir"] = baseDirectory,
            ["launcherDir"] = PlaceholderValues.LauncherDir,
            ["instance"] = instance,
        };
        var environment = values.Get(ConfigSchema.Environment);
        ExecLimits.CheckEnvironment(ConfigSchema.Environment.Path, environment);
        var commands = new CommandValidator(baseDirectory, placeholders, environment, files, checkFileSystem);

        var command = commands.Validate(ConfigSchema.Command, values)
            ?? throw new ConfigException(ConfigSchema.Command.Path, "is required: the worker's program and arguments as an array, e.g. [\"./worker\", \"--queue\", \"{node}\"]");

        var workingDirectory = Path.GetFullPath(values.Get(ConfigSchema.WorkingDirectory), baseDirectory);
        if (checkFileSystem && files.KindOf(workingDirectory) != FileKind.Directory)
            throw new ConfigException(ConfigSchema.WorkingDirectory.Path, $"no such directory: {workingDirectory}");

        var logDir = Path.GetFullPath(values.Get(ConfigSchema.LogDir), baseDirectory);
        if (checkFileSystem)
            LogDirectoryCheck.Check(ConfigSchema.LogDir.Path, logDir, files);

        var hookCommand = commands.Validate(ConfigSchema.HookCommand, values);
        if (values.HasSection("onWorkerExit") && hookCommand is null)
            throw new ConfigException(ConfigSchema.HookCommand.Path, "is required when onWorkerExit is set");

        return new LauncherSpec(
            instance,
            description,
            baseDirectory,
            command,
            workingDirectory,
            environment,
            (int)values.Get(ConfigSchema.Workers),
            logDir,
            values.Get(ConfigSchema.StartTimeout),
            values.Get(ConfigSchema.StopGrace),
            values.Get(ConfigSchema.LogFileSizeLimitBytes),
            (int)values.Get(ConfigSchema.LogFilesRetained),
            new PingSpec(
                commands.Validate(ConfigSchema.PingCommand, values),
                values.Get(ConfigSchema.PingInterval),
                values.Get(ConfigSchema.PingTimeout),
                (int)values.Get(ConfigSchema.PingMissedLimit)),
            new RestartSpec(
                values.Get(ConfigSchema.RestartEnabled),
                values.Get(ConfigSchema.RestartInitialDelay),
                values.Get(ConfigSchema.RestartMaxDelay),
                values.Get(ConfigSchema.RestartResetAfter),
                (int)values.Get(ConfigSchema.RestartCrashLoopCount),
                values.Get(ConfigSchema.RestartCrashLoopWindow)),
            CompilePatterns(ConfigSchema.StraysMatch.Path, values.Get(ConfigSchema.StraysMatch)),
            hookCommand is null ? null : new HookSpec(hookCommand, values.Get(ConfigSchema.HookTimeout)))
        {
            Coordination = Guard.Lease.CoordinationSpec.From(
                values.Get(ConfigSchema.CoordinationKind),
                values.Get(ConfigSchema.CoordinationUrl),
                values.Get(ConfigSchema.CoordinationTtl)),
            LogDirMaxBytes = values.Get(ConfigSchema.LogDirMaxBytes),
            Census = Launcher.Census.CensusConfig.Read(values, commands),
            MetricsListen = Observe.ListenAddress.Parse(values.Get(ConfigSchema.MetricsListen)),
        };
    }

    private static void CheckInstance(string instance)
    {
        var key = ConfigSchema.Instance.Path;
        if (!InstanceName().IsMatch(instance))
            throw new ConfigException(key, $"'{instance.ReplaceLineEndings("\\n")}' must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");

        // Instance x keeps x.lock, x.holder.json, x.status.json and their .tmp files next to directory x/;
        // instance "x.lock" would use that file's name as its directory.
        foreach (var suffix in ReservedInstanceSuffixes)
        {
            if (instance.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                throw new ConfigException(key, $"'{instance}' must not end in {string.Join(", ", ReservedInstanceSuffixes)}: those names are taken by another instance's files");
        }
    }

    private static Regex[] CompilePatterns(string key, IReadOnlyList<string> patterns)
    {
        var compiled = new Regex[patterns.Count];
        for (var i = 0; i < patterns.Count; i++)
        {
            try
            {
                compiled[i] = new Regex(patterns[i], RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                throw new ConfigException($"{key}[{i}]", $"is not a valid regular expression: {ex.Message}", ex);
            }
        }

        return compiled;
    }

    // \z, not $: "$" also matches before a final newline, and "x\n" would pass as an instance name.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex InstanceName();
}
