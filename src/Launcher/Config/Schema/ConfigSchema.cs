namespace Launcher.Config.Schema;

/// <summary>
/// Every key launcher.json may hold, its JSON type, range and default: the one description of the config file.
/// Adding a key is one line here (and reading it in ConfigValidator into LauncherSpec);
/// the reader learns its name, section and type from this line alone.
/// </summary>
internal static class ConfigSchema
{
    // Declared before the keys: static fields initialize in textual order, and each key registers itself here.
    private static readonly List<ConfigKey> Registered = [];

    public static readonly TextKey Schema = Add(new TextKey("$schema", ""));
    public static readonly AnyKey Comment = Add(new AnyKey("comment"));
    public static readonly TextKey Instance = Add(new TextKey("instance", "default"));
    public static readonly TextListKey Command = Add(new TextListKey("command", isCommand: true));
    public static readonly TextKey WorkingDirectory = Add(new TextKey("workingDirectory", "."));
    public static readonly TextMapKey Environment = Add(new TextMapKey("environment"));
    public static readonly WholeNumberKey Workers = Add(new WholeNumberKey("workers", 1, minimum: 1, maximum: 256));
    public static readonly TextKey LogDir = Add(new TextKey("logDir", "logs"));
    public static readonly SecondsKey StartTimeout = Add(new SecondsKey("startTimeoutSeconds", 30));
    public static readonly SecondsKey StopGrace = Add(new SecondsKey("stopGraceSeconds", 10));
    public static readonly WholeNumberKey LogFileSizeLimitBytes = Add(new WholeNumberKey("logFileSizeLimitBytes", 10 * 1024 * 1024, maximum: long.MaxValue));
    public static readonly WholeNumberKey LogFilesRetained = Add(new WholeNumberKey("logFilesRetained", 5));
    public static readonly WholeNumberKey LogDirMaxBytes = Add(new WholeNumberKey("logDirMaxBytes", LauncherSpec.DefaultLogDirMaxBytes, maximum: long.MaxValue));

    public static readonly TextListKey PingCommand = Add(new TextListKey("ping.command", isCommand: true));
    public static readonly SecondsKey PingInterval = Add(new SecondsKey("ping.intervalSeconds", 5));
    public static readonly SecondsKey PingTimeout = Add(new SecondsKey("ping.timeoutSeconds", 5));
    public static readonly WholeNumberKey PingMissedLimit = Add(new WholeNumberKey("ping.missedLimit", 3));

    public static readonly BooleanKey RestartEnabled = Add(new BooleanKey("restart.enabled", true));
    public static readonly SecondsKey RestartInitialDelay = Add(new SecondsKey("restart.initialDelaySeconds", 1, minimum: 0));
    public static readonly SecondsKey RestartMaxDelay = Add(new SecondsKey("restart.maxDelaySeconds", 60));
    public static readonly SecondsKey RestartResetAfter = Add(new SecondsKey("restart.resetAfterSeconds", 30));
    public static readonly WholeNumberKey RestartCrashLoopCount = Add(new WholeNumberKey("restart.crashLoopCount", 5));
    public static readonly SecondsKey RestartCrashLoopWindow = Add(new SecondsKey("restart.crashLoopWindowSeconds", 120));

    public static readonly TextListKey StraysMatch = Add(new TextListKey("strays.match", isCommand: false));

    public static readonly TextListKey HookCommand = Add(new TextListKey("onWorkerExit.command", isCommand: true));
    public static readonly SecondsKey HookTimeout = Add(new SecondsKey("onWorkerExit.timeoutSeconds", 30));

    public static readonly TextKey CoordinationKind = Add(new TextKey("coordination.kind", "local"));
    public static readonly TextKey CoordinationUrl = Add(new TextKey("coordination.url", ""));
    public static readonly SecondsKey CoordinationTtl = Add(new SecondsKey("coordination.ttlSeconds", 15));

    public static readonly TextListKey CensusCommand = Add(new TextListKey("census.command", isCommand: true));
    public static readonly TextKey CensusScope = Add(new TextKey("census.scope", "host"));
    public static readonly SecondsKey CensusInterval = Add(new SecondsKey("census.intervalSeconds", 30));
    public static readonly SecondsKey CensusTimeout = Add(new SecondsKey("census.timeoutSeconds", 10));

    public static readonly TextKey MetricsListen = Add(new TextKey("metrics.listen", ""));

    /// <summary>Every key, in the order above.</summary>
    public static IReadOnlyList<ConfigKey> All => Registered;

    private static TKey Add<TKey>(TKey key)
        where TKey : ConfigKey
    {
        Registered.Add(key);
        return key;
    }
}
