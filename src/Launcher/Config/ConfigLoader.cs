using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Launcher.Exceptions;
using Launcher.Platform;
using Microsoft.Extensions.Configuration;

namespace Launcher.Config;

/// <summary>
/// Reads launcher.json (or the embedded default) and validates it once into a <see cref="LauncherSpec"/>.
/// Every failure is a <see cref="ConfigException"/> naming the key; nothing is created, started or killed here.
/// </summary>
internal static partial class ConfigLoader
{
    public const string DefaultFileName = "launcher.json";

    private const double MinimumSeconds = 0.01;

    private static readonly string[] ReservedInstanceSuffixes = [".lock", ".json", ".tmp"];

    /// <summary>Loads <paramref name="explicitPath"/>, else ./launcher.json, else the embedded default.</summary>
    public static LauncherSpec Load(string? explicitPath) => Load(explicitPath, checkFileSystem: true);

    /// <summary>
    /// The light load for read-only commands (status, ping, stop, strays, doctor): parse, schema, instance and
    /// timing keys, but no checks that the worker program, workingDirectory or logDir exist. A running launcher
    /// must stay reachable after a clean rebuild removed its worker binary.
    /// </summary>
    public static LauncherSpec LoadForReading(string? explicitPath) => Load(explicitPath, checkFileSystem: false);

    private static LauncherSpec Load(string? explicitPath, bool checkFileSystem)
    {
        var (json, baseDirectory, description, name) = Read(explicitPath);
        using (var document = Parse(json, name))
            KnownKeys.Check(document.RootElement);

        LauncherOptions options;
        try
        {
            var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(json)).Build();
            options = configuration.Get<LauncherOptions>() ?? new LauncherOptions();
        }
        catch (FormatException ex)
        {
            // Keys that differ only in case collide in the configuration system (it is case-insensitive).
            throw new ConfigException(name, ex.Message, ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigException(KeyFromBinderMessage(ex.Message), "has a value of the wrong type (" + ex.Message + ")", ex);
        }

        return Validate(options, baseDirectory, description, checkFileSystem);
    }

    private static (byte[] Json, string BaseDirectory, string Description, string Name) Read(string? explicitPath)
    {
        var path = explicitPath;
        if (path is null && File.Exists(DefaultFileName))
            path = DefaultFileName;

        if (path is null)
        {
            using var stream = typeof(ConfigLoader).Assembly.GetManifestResourceStream("default-launcher.json")
                ?? throw new InvalidOperationException("the embedded default config is missing from this build");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return (copy.ToArray(), Directory.GetCurrentDirectory(), "embedded default config (no launcher.json here)", "default config");
        }

        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new ConfigException("--config", $"{full} is a directory; give the path of a launcher.json file");
        try
        {
            return (File.ReadAllBytes(full), Path.GetDirectoryName(full)!, full, Path.GetFileName(full));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException("--config", $"no such file: {full}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException("--config", $"cannot read {full}: {ex.Message}", ex);
        }
    }

    // The same leniency as the configuration system's JSON provider: comments and trailing commas are fine.
    private static JsonDocument Parse(byte[] json, string name)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            var reason = ex.Message;
            var cut = reason.IndexOf(" Path:", StringComparison.Ordinal) is var p and >= 0 ? p : reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0)
                reason = reason[..cut];
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}" : "";
            throw new ConfigException(name, $"is not valid JSON{where}: {reason}", ex);
        }
    }

    private static LauncherSpec Validate(LauncherOptions options, string baseDirectory, string description, bool checkFileSystem)
    {
        var instance = options.Instance ?? "default";
        if (!InstanceName().IsMatch(instance))
            throw new ConfigException("instance", $"'{instance}' must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");

        // Instance x keeps x.lock, x.holder.json, x.status.json and their .tmp files next to directory x/;
        // instance "x.lock" would use that file's name as its directory.
        foreach (var suffix in ReservedInstanceSuffixes)
        {
            if (instance.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                throw new ConfigException("instance", $"'{instance}' must not end in {string.Join(", ", ReservedInstanceSuffixes)}: those names are taken by another instance's files");
        }

        var placeholders = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["configDir"] = baseDirectory,
            ["launcherDir"] = PlaceholderValues.LauncherDir,
        };

        var command = ValidateCommand("command", options.Command, baseDirectory, placeholders, checkFileSystem)
            ?? throw new ConfigException("command", "is required: the worker's program and arguments as an array, e.g. [\"./worker\", \"--queue\", \"{node}\"]");

        var workingDirectory = ResolvePath(options.WorkingDirectory ?? ".", baseDirectory);
        if (checkFileSystem && !Directory.Exists(workingDirectory))
            throw new ConfigException("workingDirectory", $"no such directory: {workingDirectory}");

        var workers = options.Workers ?? 1;
        if (workers is < 1 or > 256)
            throw new ConfigException("workers", $"must be a whole number from 1 to 256 (got {workers})");

        var logDir = ResolvePath(options.LogDir ?? "logs", baseDirectory);
        if (checkFileSystem)
            CheckWritableDirectory("logDir", logDir);

        var ping = options.Ping ?? new PingOptions();
        var restart = options.Restart ?? new RestartOptions();
        var hook = options.OnWorkerExit;
        var hookCommand = ValidateCommand("onWorkerExit.command", hook?.Command, baseDirectory, placeholders, checkFileSystem);
        if (hook is not null && hookCommand is null)
            throw new ConfigException("onWorkerExit.command", "is required when onWorkerExit is set");

        return new LauncherSpec(
            instance,
            description,
            baseDirectory,
            command,
            workingDirectory,
            options.Environment ?? new Dictionary<string, string>(),
            workers,
            logDir,
            Seconds("startTimeoutSeconds", options.StartTimeoutSeconds, 30),
            Seconds("stopGraceSeconds", options.StopGraceSeconds, 10),
            Positive("logFileSizeLimitBytes", options.LogFileSizeLimitBytes ?? 10 * 1024 * 1024),
            (int)Positive("logFilesRetained", options.LogFilesRetained ?? 5),
            new PingSpec(
                ValidateCommand("ping.command", ping.Command, baseDirectory, placeholders, checkFileSystem),
                Seconds("ping.intervalSeconds", ping.IntervalSeconds, 5),
                Seconds("ping.timeoutSeconds", ping.TimeoutSeconds, 5),
                (int)Positive("ping.missedLimit", ping.MissedLimit ?? 3)),
            new RestartSpec(
                restart.Enabled ?? true,
                Seconds("restart.initialDelaySeconds", restart.InitialDelaySeconds, 1),
                Seconds("restart.maxDelaySeconds", restart.MaxDelaySeconds, 60),
                Seconds("restart.resetAfterSeconds", restart.ResetAfterSeconds, 30),
                (int)Positive("restart.crashLoopCount", restart.CrashLoopCount ?? 5),
                Seconds("restart.crashLoopWindowSeconds", restart.CrashLoopWindowSeconds, 120)),
            CompilePatterns(options.Strays?.Match),
            hookCommand is null ? null : new HookSpec(hookCommand, Seconds("onWorkerExit.timeoutSeconds", hook!.TimeoutSeconds, 30)));
    }

    private static CommandTemplate? ValidateCommand(string key, List<string>? argv, string baseDirectory, IReadOnlyDictionary<string, string> placeholders, bool checkFileSystem)
    {
        if (argv is null || argv.Count == 0)
            return null;
        if (string.IsNullOrWhiteSpace(argv[0]))
            throw new ConfigException(key + "[0]", "the program name is empty");

        for (var i = 0; i < argv.Count; i++)
        {
            foreach (Match match in Placeholder().Matches(argv[i]))
            {
                if (!CommandTemplate.Placeholders.Contains(match.Groups[1].Value))
                    throw new ConfigException($"{key}[{i}]", $"unknown placeholder {match.Value}; known: {{{string.Join("}, {", CommandTemplate.Placeholders)}}}");
            }
        }

        var program = CommandTemplate.Expand(argv[0], placeholders);
        if (!checkFileSystem)
            return new CommandTemplate([ResolveProgram(program, baseDirectory) ?? (program.Contains('/', StringComparison.Ordinal) ? ResolvePath(program, baseDirectory) : program), .. argv.Skip(1)]);

        if (program.Contains('/', StringComparison.Ordinal) && ResolvePath(program, baseDirectory) is var path && File.Exists(path) && !IsExecutable(path))
            throw new ConfigException(key + "[0]", $"{path} is not executable (chmod +x it)");
        var resolved = ResolveProgram(program, baseDirectory)
            ?? throw new ConfigException(key + "[0]", program.Contains('/', StringComparison.Ordinal)
                ? $"no such executable file: {ResolvePath(program, baseDirectory)} (run scripts/build.sh if it is the sample worker)"
                : $"'{program}' was not found on PATH");
        return new CommandTemplate([resolved, .. argv.Skip(1)]);
    }

    /// <summary>A path with a slash is relative to the config file; a bare name is looked up on PATH.</summary>
    private static string? ResolveProgram(string program, string baseDirectory)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var full = ResolvePath(program, baseDirectory);
            return File.Exists(full) && IsExecutable(full) ? full : null;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            // As execvp does: a file without execute permission is passed over for the next PATH entry.
            if (File.Exists(candidate) && IsExecutable(candidate))
                return candidate;
        }

        return null;
    }

    private static bool IsExecutable(string path) => !OperatingSystem.IsLinux() || LibC.Access(path, LibC.X_OK) == 0;

    private static string ResolvePath(string path, string baseDirectory) => Path.GetFullPath(path, baseDirectory);

    private static void CheckWritableDirectory(string key, string directory)
    {
        if (File.Exists(directory))
            throw new ConfigException(key, $"{directory} is a file, not a directory");

        // The directory is created only later, when the launcher really starts; here we only check that it could be.
        var existing = directory;
        while (!Directory.Exists(existing))
        {
            // A regular file on the way (logs/x under a file "logs") makes the directory impossible, even for root.
            if (File.Exists(existing))
                throw new ConfigException(key, $"{directory} cannot be created: {existing} is a file");
            existing = Path.GetDirectoryName(existing) ?? "/";
        }

        if (OperatingSystem.IsLinux() && LibC.Access(existing, LibC.W_OK | LibC.X_OK) != 0)
            throw new ConfigException(key, $"{directory} is not writable (no write permission on {existing})");
    }

    private static TimeSpan Seconds(string key, double? value, double defaultSeconds)
    {
        var seconds = value ?? defaultSeconds;
        // 0.01 s at least: a tinier value rounds to TimeSpan.Zero, which timers reject only after strays were killed.
        if (!(seconds >= MinimumSeconds) || seconds > 86_400)
            throw new ConfigException(key, $"must be a number of seconds from {MinimumSeconds.ToString(CultureInfo.InvariantCulture)} to 86400 (got {seconds.ToString(CultureInfo.InvariantCulture)})");
        return TimeSpan.FromSeconds(seconds);
    }

    private static long Positive(string key, long value) =>
        value > 0 ? value : throw new ConfigException(key, $"must be a positive whole number (got {value})");

    private static Regex[] CompilePatterns(List<string>? patterns)
    {
        if (patterns is null)
            return [];
        var compiled = new Regex[patterns.Count];
        for (var i = 0; i < patterns.Count; i++)
        {
            try
            {
                compiled[i] = new Regex(patterns[i], RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                throw new ConfigException($"strays.match[{i}]", $"is not a valid regular expression: {ex.Message}", ex);
            }
        }

        return compiled;
    }

    private static string KeyFromBinderMessage(string message)
    {
        // The binder names the property path (Ping:IntervalSeconds); users know the JSON spelling (ping.intervalSeconds).
        var match = BinderKey().Match(message);
        if (!match.Success)
            return "launcher.json";
        var segments = match.Groups[1].Value.Split(':').Select(s => s.Length > 0 ? char.ToLowerInvariant(s[0]) + s[1..] : s);
        return KnownKeys.Display(string.Join(':', segments));
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex InstanceName();

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex("at '([^']+)'")]
    private static partial Regex BinderKey();
}
